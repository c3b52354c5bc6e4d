"""The Zalo Bot API over HTTP: one call, its retries, and the errors it raises."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class ZaloApiError(Exception):
    """A call the API refused or that never got an answer (`code` 0)."""

    def __init__(self, method: str, code: int, description: str, retry_after: float = 0.0):
        super().__init__(f"{method}: {code} {description}")
        self.method = method
        self.code = code
        self.description = description
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Worth trying again later: no answer, rate limited, or a server error."""
        return self.code == 0 or self.code == 429 or self.code >= 500


class ZaloApi:
    """`POST <base_url>/bot<token>/<method>` with a JSON body; unwraps `{ok, result}`."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        attempts: int = 4,
        backoff_s: float = 0.5,
        timeout_s: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        payload: dict[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
        retry: bool = True,
    ) -> Any:
        """Call `method`, retrying transient failures with exponential backoff."""
        attempts = self.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._once(method, payload or {}, timeout_s or self.timeout_s)
            except ZaloApiError as exc:
                if not exc.transient or attempt == attempts:
                    raise
                delay = max(exc.retry_after, self.backoff_s * 2 ** (attempt - 1))
                logger.info(
                    "zalo %s failed (%s), retry %s in %.1fs", method, exc.code, attempt, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _once(self, method: str, payload: dict[str, Any], timeout_s: float) -> Any:
        try:
            response = await self._client.post(
                self._prefix + method, json=payload, timeout=timeout_s
            )
        except httpx.TransportError as exc:  # timeouts, refused connections: no token in the text
            raise ZaloApiError(method, 0, type(exc).__name__) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.is_success and isinstance(body, dict) and body.get("ok"):
            return body.get("result")
        code = response.status_code if not response.is_success else 0
        if isinstance(body, dict):
            code = int(body.get("error_code") or body.get("errorCode") or code or 500)
        description = str(body.get("description", "")) if isinstance(body, dict) else ""
        retry_after = float(response.headers.get("Retry-After", "0") or 0)
        raise ZaloApiError(method, code, description[:200], retry_after)

"""PTB's networking on aiohttp: the `BaseRequest` python-telegram-bot lets a bot plug in.

PTB's own backend is httpx, and the updates bench's profile put httpx at two thirds of the
bot's CPU per message (building the request, the cookie jar, url-encoding every text). aiohttp,
already here for the web server, does the same call in about a third of the CPU, and a body
without files goes as one JSON object (PTB's own `json_payload` would encode nested values
twice, as strings in a string). Status codes, the JSON
answer and Telegram's errors stay PTB's: `do_request` only moves bytes. Error texts carry the
exception's class only, never the URL, which holds the bot token.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


def _seconds(value: float | DefaultValue[None] | None, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `pool_size` connections (PTB's timeouts apply)."""

    def __init__(
        self,
        pool_size: int = 256,
        *,
        read_timeout_s: float | None = 5.0,
        connect_timeout_s: float | None = 5.0,
        pool_timeout_s: float | None = 1.0,
    ) -> None:
        self.pool_size = pool_size
        self._read_timeout = read_timeout_s
        self._connect_timeout = connect_timeout_s
        self._pool_timeout = pool_timeout_s
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See `BaseRequest.do_request`; aiohttp has no write timeout, so that one is unused."""
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        connect = _seconds(connect_timeout, self._connect_timeout)
        pool = _seconds(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            sock_read=_seconds(read_timeout, self._read_timeout),
            sock_connect=connect,
            connect=None if connect is None or pool is None else connect + pool,
        )
        try:
            async with self._session.request(
                method, url, timeout=timeout, **_body(request_data)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc


def _body(request_data: RequestData | None) -> dict[str, object]:
    """JSON when there are no files; a multipart form (the parameters as fields) when there are."""
    if request_data is None:
        return {}
    if not request_data.contains_files:
        payload = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
        return {"data": payload.encode(), "headers": JSON_HEADERS}
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return {"data": form}

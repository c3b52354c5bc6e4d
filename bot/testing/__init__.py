"""Stand-ins for the platforms the bot talks to, for tests, benchmarks and local trials."""

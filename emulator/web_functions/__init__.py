"""Web functions: `/api/v1/web/...` requests as events, and results as HTTP responses."""

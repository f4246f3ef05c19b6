"""HTTP only: parse the request, call one domain method, serialise the answer."""

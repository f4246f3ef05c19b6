"""HTTP only: the route table, one middleware chain, one module per resource."""

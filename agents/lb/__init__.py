"""The lb agent: renders a cluster's load balancers into haproxy configuration and serves it."""

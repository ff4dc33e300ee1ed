"""Load balancers as a service: the records an lb agent turns into haproxy configuration."""

"""Hosting: deploy/haproxy.cfg (the load balancer) and deploy/run.py (replicas and HAProxy on
one machine; tests/cluster.py drives it for tests and benchmarks)."""

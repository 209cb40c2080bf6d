"""Hosting: deploy/haproxy.cfg (the load balancer) and deploy/run.py (replicas and HAProxy on
one machine; its Cluster is used by tests and benchmarks)."""

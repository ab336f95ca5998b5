"""Deployment helpers: the compose smoke call (smoke_call.py) and Kubernetes manifests (k8s/)."""

"""The REST API (v1): scoping in scoping.py, one error shape in errors.py."""

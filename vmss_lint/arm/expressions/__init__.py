"""Offline evaluation of ARM template expressions, one module per family of functions."""

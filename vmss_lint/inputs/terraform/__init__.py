"""Terraform plans (`terraform show -json`) as inputs: azurerm scale sets as pairs of canonical models."""

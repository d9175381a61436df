"""Terraform plan JSON for tests, in the shape `terraform show -json` prints (format_version 1.2).

`vmss()` is the `after` object azurerm 3.x records for a Linux scale set (every attribute present, unset
ones null, blocks as lists), modelled on the real plan in fixtures/terraform/fugue-regula-plan.json.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-web"
ADDRESS = "module.web.azurerm_linux_virtual_machine_scale_set.web"


def subnet(vnet: str = "vnet-a", name: str = "default") -> str:
    return f"{SUB}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{name}"


def vmss(**changes: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "id": f"{SUB}/providers/Microsoft.Compute/virtualMachineScaleSets/web-vmss",
        "name": "web-vmss",
        "resource_group_name": "rg-web",
        "location": "westeurope",
        "sku": "Standard_D2s_v5",
        "instances": 3,
        "admin_username": "azureuser",
        "admin_password": None,
        "admin_ssh_key": [{"username": "azureuser", "public_key": "ssh-rsa AAAAB3NzaC1yc2E web"}],
        "disable_password_authentication": True,
        "computer_name_prefix": "web",
        "custom_data": None,
        "upgrade_mode": "Manual",
        "overprovision": True,
        "single_placement_group": True,
        "zones": ["1", "2", "3"],
        "zone_balance": False,
        "priority": "Regular",
        "eviction_policy": None,
        "max_bid_price": -1,
        "platform_fault_domain_count": 5,
        "provision_vm_agent": True,
        "encryption_at_host_enabled": None,
        "secure_boot_enabled": False,
        "vtpm_enabled": False,
        "health_probe_id": None,
        "tags": {"env": "prod"},
        "timeouts": None,
        "unique_id": "b1f7c1a4-0000-4000-8000-000000000001",
        "source_image_id": None,
        "source_image_reference": [
            {
                "publisher": "Canonical",
                "offer": "0001-com-ubuntu-server-jammy",
                "sku": "22_04-lts-gen2",
                "version": "latest",
            }
        ],
        "os_disk": [
            {
                "caching": "ReadWrite",
                "storage_account_type": "Premium_LRS",
                "disk_size_gb": 30,
                "write_accelerator_enabled": False,
                "disk_encryption_set_id": None,
                "diff_disk_settings": [],
                "secure_vm_disk_encryption_set_id": None,
                "security_encryption_type": None,
            }
        ],
        "data_disk": [],
        "extension": [],
        "network_interface": [
            {
                "name": "nic",
                "primary": True,
                "network_security_group_id": None,
                "enable_accelerated_networking": False,
                "enable_ip_forwarding": False,
                "dns_servers": [],
                "ip_configuration": [
                    {
                        "name": "internal",
                        "primary": True,
                        "subnet_id": subnet(),
                        "version": "IPv4",
                        "load_balancer_backend_address_pool_ids": [],
                        "load_balancer_inbound_nat_rules_ids": [],
                        "application_gateway_backend_address_pool_ids": [],
                        "application_security_group_ids": [],
                        "public_ip_address": [],
                    }
                ],
            }
        ],
        "boot_diagnostics": [],
        "identity": [],
        "plan": [],
        "additional_capabilities": [],
        "automatic_instance_repair": [{"enabled": False, "grace_period": "PT30M", "action": "Replace"}],
        "automatic_os_upgrade_policy": [],
        "rolling_upgrade_policy": [],
        "scale_in": [{"rule": "Default", "force_deletion_enabled": False}],
        "termination_notification": [],
        "secret": [],
        "spot_restore": [],
        "gallery_application": [],
        "extensions_time_budget": "PT1H30M",
        "do_not_run_extensions_on_overprovisioned_machines": False,
        "user_data": None,
        "license_type": None,
        "host_group_id": None,
        "capacity_reservation_group_id": None,
        "proximity_placement_group_id": None,
        "edge_zone": None,
    }
    for key, value in changes.items():
        attrs[key] = value
    return attrs


def change(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actions: list[str],
    *,
    address: str = ADDRESS,
    after_unknown: dict[str, Any] | None = None,
    sensitive: dict[str, Any] | None = None,
    replace_paths: list[list[Any]] | None = None,
    rtype: str = "azurerm_linux_virtual_machine_scale_set",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "actions": actions,
        "before": copy.deepcopy(before),
        "after": copy.deepcopy(after),
        "after_unknown": after_unknown or {},
        "before_sensitive": sensitive or {} if before is not None else False,
        "after_sensitive": sensitive or {} if after is not None else False,
    }
    if replace_paths:
        body["replace_paths"] = replace_paths
    rc: dict[str, Any] = {
        "address": address,
        "module_address": address.rsplit(".", 2)[0] if address.startswith("module.") else None,
        "mode": "managed",
        "type": rtype,
        "name": address.rsplit(".", 1)[-1],
        "provider_name": "registry.terraform.io/hashicorp/azurerm",
        "change": body,
    }
    if rc["module_address"] is None:
        del rc["module_address"]
    if replace_paths:
        rc["action_reason"] = "replace_because_cannot_update"
    return rc


def plan(
    *resource_changes: dict[str, Any], features: dict[str, bool] | None = None, version: str = "1.2"
) -> dict[str, Any]:
    vmss_features = {k: {"constant_value": v} for k, v in (features or {}).items()}
    return {
        "format_version": version,
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": list(resource_changes),
        "configuration": {
            "provider_config": {
                "azurerm": {
                    "name": "azurerm",
                    "full_name": "registry.terraform.io/hashicorp/azurerm",
                    "version_constraint": "~> 3.116",
                    "expressions": {
                        "features": [{"virtual_machine_scale_set": [vmss_features]}] if features else [{}]
                    },
                }
            },
            "root_module": {},
        },
        "timestamp": "2026-11-30T10:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path

"""A stored configuration as a hier_config tree, read by the platform's driver (config_tree.yaml)."""

from __future__ import annotations

from hier_config import HConfig, Platform, get_hconfig, get_hconfig_driver
from hier_config.platforms.driver_base import HConfigDriverBase

from netpatrol.platforms import PLATFORMS


def driver(platform: str) -> HConfigDriverBase:
    """The hier_config driver of a netpatrol platform (its folder's config_tree.yaml)."""
    spec = PLATFORMS[platform].config_tree
    return get_hconfig_driver(Platform[spec.base.upper()])


def parse(platform: str, text: str) -> HConfig:
    """The config tree of `text` as `platform` prints it."""
    return get_hconfig(driver(platform), text)

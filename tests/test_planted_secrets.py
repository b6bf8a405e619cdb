"""The lab's planted secrets (scenario "planted_secrets"): the data the secrets scan relies on."""

from __future__ import annotations

from pathlib import Path

from netpatrol.backup.configtext import check_complete, clean
from netpatrol.backup.sanitize import sanitize
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.lab.planted import SCENARIO, plant, planted, platforms
from netpatrol.platforms import PLATFORMS


def test_every_platform_has_planted_forms_with_unique_values() -> None:
    assert set(platforms()) == set(PLATFORMS)
    values = [s.value for p in platforms() for n in (1, 2, 3) for s in planted(p, n)]
    assert len(values) == len(set(values))
    for p in platforms():
        assert len(planted(p)) >= 10, p
        for s in planted(p):
            assert s.text.count(s.value) == 1, (p, s.form)
            # No value is a prefix of another (NpSecret-x-1 vs NpSecret-x-10), so a search cannot mix them up.
            assert not any(v != s.value and v.startswith(s.value) for v in values), s.value


def test_planted_config_stays_a_complete_config(tmp_path: Path) -> None:
    for platform in platforms():
        device = SimulatedDevice(DeviceSpec(name=f"p-{platform}", platform=platform, address="127.0.0.1", port=22,
                                      username="u", password="p", scenarios=[SCENARIO]), tmp_path)
        config = device.running
        assert all(s.value in config for s in planted(platform)), platform
        profile = PLATFORMS[platform]
        check_complete(clean(config, profile), profile, host=device.spec.name)
        again = plant(config, platform, 3)
        check_complete(clean(again, profile), profile, host=device.spec.name)


def test_the_sanitiser_removes_every_planted_value() -> None:
    # The scan proves this end to end over SSH; this names the form at once when one regresses.
    for platform in platforms():
        secrets = planted(platform)
        out = sanitize("\n".join(s.text for s in secrets), platform, "all")
        assert [s.form for s in secrets if s.value in out] == [], platform

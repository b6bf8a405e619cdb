"""Secret removal: every corpus config, then a table of hand-written lines per platform and form."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, SKIP_NO_CORPUS
from netpatrol.backup.sanitize import PLACEHOLDER, SecretLevel, find_secrets, rules_for, sanitize
from netpatrol.platforms import PLATFORMS, UnknownPlatform

RULES = {platform: rules_for(platform) for platform in sorted(PLATFORMS)}

CISCO_LIKE = ("cisco_ios", "cisco_nxos", "arista_eos", "ruijie_os")


def corpus_configs() -> list[Path]:
    # Listed at collection time, so CORPUS is read directly; the marks below skip with the reason.
    return sorted(CORPUS.glob("*/configs/*.cfg")) if CORPUS.is_dir() else []


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_NO_CORPUS)

# --- the oracle: written independently of netpatrol.backup.sanitize, one simple regex per form seen in
# the corpus. Group `v` is the secret; kind says whether the `reversible` level must remove it.
REV, HASH = "reversible", "hash"
ORACLE: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "cisco": [
        (HASH, re.compile(r"\b(?:secret|password) (?:5|8|9|sha512) (?P<v>\S+)")),
        (REV, re.compile(r"\b(?:password|key) 7 (?P<v>\S+)")),
        (REV, re.compile(r"\bpassword 0 (?P<v>\S+)")),
        (REV, re.compile(r"^snmp-server community (?P<v>\S+)")),
        (REV, re.compile(r"^snmp-server host \S+ .*?version (?:1|2c) (?P<v>\S+)")),
        (REV, re.compile(r"\b(?:auth md5|auth sha|priv) (?P<v>0x[0-9a-f]+)")),
        (REV, re.compile(r"pre-shared-key address \S+ key (?P<v>\S+)")),
        (REV, re.compile(r"server-key (?:7 )?(?P<v>\S+)")),
    ],
    "huawei": [
        (HASH, re.compile(r"irreversible-cipher (?P<v>\S+)")),
        (HASH, re.compile(r"password hash (?P<v>\S+)")),
        (REV, re.compile(r"password cipher (?P<v>\S+)")),
        (REV, re.compile(r"key (?:authentication|authorization|accounting) cipher (?P<v>\S+)")),
        (REV, re.compile(r"^\s*snmp-agent community (?:read|write) (?P<v>\S+)")),
    ],
    "junos": [
        (HASH, re.compile(r'encrypted-password "(?P<v>[^"]+)"')),
        (REV, re.compile(r'"(?P<v>\$9\$[^"]+)"')),
        (REV, re.compile(r"^set snmp community (?P<v>\S+)")),
        (REV, re.compile(r"://[^:/@\s\"]+:(?P<v>[^@\s\"]+)@")),
    ],
}
ORACLE_FOR = {p: "cisco" for p in CISCO_LIKE} | {"huawei_vrp": "huawei", "hp_comware": "huawei", "juniper_junos": "junos"}


def oracle_hits(text: str, platform: str) -> list[tuple[int, str, str]]:
    """(line number, kind, value) for every secret the oracle sees; already-redacted values skipped."""
    hits = {}
    for n, line in enumerate(text.split("\n")):
        if line.lstrip().startswith("description "):
            continue
        for kind, rx in ORACLE[ORACLE_FOR[platform]]:
            for m in rx.finditer(line):
                value = m.group("v")
                if not value.startswith("<"):
                    hits.setdefault((n, m.start("v")), (n, kind, value))  # two forms, one secret
    return list(hits.values())


def _assert_removed(raw: str, out: str, hits: list[tuple[int, str, str]], where: str) -> None:
    # Each secret occurrence is gone and nothing else with the same text was touched:
    # occurrences(out) == occurrences(raw) - occurrences the oracle called secret.
    per_value = Counter(v for _, _, v in hits)
    for value, secret_count in per_value.items():
        assert out.count(value) == raw.count(value) - secret_count, f"{where}: secret {value[:12]!r}… survived"


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_configs(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_corpus_all_level_removes_every_secret_and_nothing_else(path: Path) -> None:
    platform = path.parent.parent.name
    raw = path.read_text(encoding="utf-8")
    out = sanitize(raw, platform, "all")
    hits = oracle_hits(raw, platform)

    _assert_removed(raw, out, hits, path.name)
    raw_lines, out_lines = raw.split("\n"), out.split("\n")
    assert len(out_lines) == len(raw_lines)
    secret_lines = {n for n, _, _ in hits}
    changed = {n for n, (a, b) in enumerate(zip(raw_lines, out_lines, strict=True)) if a != b}
    assert changed <= secret_lines, f"lines changed without a secret: {[raw_lines[n] for n in changed - secret_lines]}"
    for line in raw_lines:
        if re.match(r"^\s*(hostname|sysname|host-name|set system host-name)\s", line):
            assert line in out_lines
    assert sanitize(out, platform, "all") == out  # stable when run twice


@needs_corpus
@pytest.mark.corpus
def test_corpus_oracle_found_secrets_on_every_platform() -> None:
    # Guards the test above against an oracle that silently matches nothing.
    seen = Counter()
    for path in corpus_configs():
        platform = path.parent.parent.name
        seen[platform] += len(oracle_hits(path.read_text(encoding="utf-8"), platform))
    assert all(seen[p] >= 4 for p in ("cisco_ios", "cisco_nxos", "arista_eos", "hp_comware", "juniper_junos")), seen
    assert seen["huawei_vrp"] >= 2 and sum(seen.values()) >= 80, seen


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_configs(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_corpus_reversible_level_keeps_hashes(path: Path) -> None:
    platform = path.parent.parent.name
    raw = path.read_text(encoding="utf-8")
    out_lines = sanitize(raw, platform, SecretLevel.REVERSIBLE).split("\n")
    for n, kind, value in oracle_hits(raw, platform):
        still_secret = {v for _, _, v in oracle_hits(out_lines[n], platform)}
        if kind == HASH:
            assert value in still_secret, f"hash removed at reversible level: line {n + 1}"
        else:
            assert value not in still_secret, f"reversible secret kept: line {n + 1}"
    assert sanitize(raw, platform, "none") == raw


def test_level_none_is_identity_even_with_secrets() -> None:
    text = "enable password 7 0822455D0A16\r\nsnmp-server community public RO\n"
    assert sanitize(text, "cisco_ios", "none") == text
    assert find_secrets(text, "cisco_ios", "none") == []


def test_unknown_platform_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownPlatform, match="cisco_xr"):
        sanitize("hostname r1\n", "cisco_xr")


def test_every_registered_platform_has_rules() -> None:
    assert all(RULES[platform] for platform in PLATFORMS)


def test_find_secrets_returns_values_in_order_without_duplicates() -> None:
    text = (
        "snmp-server community Comm1 RO\n"
        "snmp-server community Comm1 RO\n"
        "enable secret 5 $1$abcd$efghijklmnop\n"
        "tacacs-server key 7 070C285F4D06\n"
    )
    assert find_secrets(text, "cisco_ios") == ["Comm1", "$1$abcd$efghijklmnop", "070C285F4D06"]
    assert find_secrets(text, "cisco_ios", "reversible") == ["Comm1", "070C285F4D06"]


def test_line_endings_and_count_are_preserved() -> None:
    text = "hostname r1\r\nenable password 7 0822455D0A16\r\n!\r\n"
    assert sanitize(text, "cisco_ios") == "hostname r1\r\nenable password 7 <removed>\r\n!\r\n"


# --- hand-written table: (platform, input line, expected at "all", expected at "reversible").
# SAME = the line is unchanged at that level; ALL = same as the "all" column.
SAME, ALL = object(), object()
R = PLACEHOLDER
CASES = [
    # Cisco IOS / IOS-XE
    ("cisco_ios", "enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0", f"enable secret 5 {R}", SAME),
    ("cisco_ios", "enable secret 8 $8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJDWRVqncHub1PE9UlMQFs", f"enable secret 8 {R}", SAME),
    ("cisco_ios", "enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM", f"enable secret 9 {R}", SAME),
    ("cisco_ios", "enable secret level 5 5 $1$abcd$efgh", f"enable secret level 5 5 {R}", SAME),
    ("cisco_ios", "enable password 7 0822455D0A16", f"enable password 7 {R}", ALL),
    ("cisco_ios", "enable password cisco123", f"enable password {R}", ALL),
    ("cisco_ios", "username admin privilege 15 secret 5 $1$abcd$efgh", f"username admin privilege 15 secret 5 {R}", SAME),
    ("cisco_ios", "username bob password 7 094F471A1A0A", f"username bob password 7 {R}", ALL),
    ("cisco_ios", "username carol privilege 15 password 0 plaintext", f"username carol privilege 15 password 0 {R}", ALL),
    ("cisco_ios", " password 7 0822455D0A16", f" password 7 {R}", ALL),
    ("cisco_ios", "snmp-server community S3cr3tRO RO 10", f"snmp-server community {R} RO 10", ALL),
    ("ruijie_os", "snmp-server community 7 0822455D0A16 ro SNMP-RO", f"snmp-server community 7 {R} ro SNMP-RO", ALL),
    ("ruijie_os", "snmp-server community 0 Comm1RO ro", f"snmp-server community 0 {R} ro", ALL),
    ("cisco_ios", "snmp-server host 10.1.1.1 version 2c TrapComm", f"snmp-server host 10.1.1.1 version 2c {R}", ALL),
    ("cisco_ios", "snmp-server host 10.1.1.2 vrf MGMT informs version 2c InfComm tty", f"snmp-server host 10.1.1.2 vrf MGMT informs version 2c {R} tty", ALL),
    ("cisco_ios", "snmp-server user u1 g1 v3 auth sha AuthPass1 priv aes 128 PrivPass1", f"snmp-server user u1 g1 v3 auth sha {R} priv aes 128 {R}", ALL),
    ("cisco_ios", "tacacs-server key 7 1511021F0725", f"tacacs-server key 7 {R}", ALL),
    ("cisco_ios", "tacacs-server host 10.1.1.5 key MyTacKey", f"tacacs-server host 10.1.1.5 key {R}", ALL),
    ("cisco_ios", " key 7 045802150C2E", f" key 7 {R}", ALL),
    ("cisco_ios", " key PlainServerKey", f" key {R}", ALL),
    ("cisco_ios", "radius-server key 7 1234ABCD", f"radius-server key 7 {R}", ALL),
    ("cisco_ios", " server-private 10.9.9.9 key 7 ABCDEF12", f" server-private 10.9.9.9 key 7 {R}", ALL),
    ("cisco_ios", " client 10.10.10.10 server-key RadClientKey", f" client 10.10.10.10 server-key {R}", ALL),
    ("cisco_ios", " neighbor 10.0.0.2 password 7 02050D480809", f" neighbor 10.0.0.2 password 7 {R}", ALL),
    ("cisco_ios", " ip ospf authentication-key 7 045802150C2E", f" ip ospf authentication-key 7 {R}", ALL),
    ("cisco_ios", " ip ospf message-digest-key 1 md5 7 070C285F4D06", f" ip ospf message-digest-key 1 md5 7 {R}", ALL),
    ("cisco_ios", " isis password IsisPass", f" isis password {R}", ALL),
    ("cisco_ios", " domain-password DomPass", f" domain-password {R}", ALL),
    ("cisco_ios", " area-password AreaPass", f" area-password {R}", ALL),
    ("cisco_ios", " standby 1 authentication md5 key-string 7 0822455D0A16", f" standby 1 authentication md5 key-string 7 {R}", ALL),
    ("cisco_ios", " standby 1 authentication HsrpText", f" standby 1 authentication {R}", ALL),
    ("cisco_ios", " vrrp 1 authentication text VrrpText", f" vrrp 1 authentication text {R}", ALL),
    ("cisco_ios", "  key-string 7 13061E010803", f"  key-string 7 {R}", ALL),
    ("cisco_ios", "  authentication mode hmac-sha-256 7 EigrpKey", f"  authentication mode hmac-sha-256 7 {R}", ALL),
    ("cisco_ios", "crypto isakmp key 6 IsakmpKey address 10.1.1.1", f"crypto isakmp key 6 {R} address 10.1.1.1", ALL),
    ("cisco_ios", "crypto isakmp key MyPsk address 0.0.0.0 0.0.0.0", f"crypto isakmp key {R} address 0.0.0.0 0.0.0.0", ALL),
    ("cisco_ios", "  pre-shared-key address 52.27.166.152 key QMP5tK", f"  pre-shared-key address 52.27.166.152 key {R}", ALL),
    ("cisco_ios", "  pre-shared-key local Ikev2Local", f"  pre-shared-key local {R}", ALL),
    ("cisco_ios", " ppp chap password 7 060506324F41", f" ppp chap password 7 {R}", ALL),
    ("cisco_ios", " wpa-psk ascii 0 WifiPass", f" wpa-psk ascii 0 {R}", ALL),
    ("cisco_ios", "ntp authentication-key 1 md5 104D000A0618 7", f"ntp authentication-key 1 md5 {R} 7", ALL),
    ("cisco_ios", " path ftp://backup:FtpPass1@10.0.0.9/$h", f" path ftp://backup:{R}@10.0.0.9/$h", ALL),
    ("cisco_ios", "ip ftp password 7 0822455D0A16", f"ip ftp password 7 {R}", ALL),
    ("cisco_ios", "ip http client password HttpPw", f"ip http client password {R}", ALL),
    ("cisco_ios", "key config-key password-encrypt MasterKey1", f"key config-key password-encrypt {R}", ALL),
    ("cisco_ios", "snmp-server host 10.42.0.36 vrf Mgmt informs version 3 auth v3user  bfd", SAME, SAME),
    # two secrets on one line
    ("cisco_ios", " mgmtuser username admin password 0 Pw1 secret 0 Sec2", f" mgmtuser username admin password 0 {R} secret 0 {R}", ALL),
    # never touched
    ("cisco_ios", " description password 7 0822455D0A16 is in the runbook", SAME, SAME),
    ("cisco_ios", " description uplink - password reset port", SAME, SAME),
    ("cisco_ios", "service password-encryption", SAME, SAME),
    ("cisco_ios", "security passwords min-length 8", SAME, SAME),
    ("cisco_ios", "key chain EIGRP-KEYS", SAME, SAME),
    ("cisco_ios", " key 1", SAME, SAME),
    ("cisco_ios", " neighbor 10.0.0.2 send-community", SAME, SAME),
    # Cisco NX-OS
    ("cisco_nxos", "username admin password 5 $5$aH4ttsPk$kNH7qX  role network-admin", f"username admin password 5 {R}  role network-admin", SAME),
    (
        "cisco_nxos",
        "snmp-server user admin network-admin auth md5 0x9e902c388e9b4c616e7c7c98d1079325 priv 0x9e902c388e9b4c616e7c7c98d1079325 localizedkey",
        f"snmp-server user admin network-admin auth md5 {R} priv {R} localizedkey",
        ALL,
    ),
    ("cisco_nxos", "snmp-server user u2 auth sha 0xabc123 priv aes-128 0xdef456 localizedkey", f"snmp-server user u2 auth sha {R} priv aes-128 {R} localizedkey", ALL),
    ("cisco_nxos", 'tacacs-server key 7 "fewhg123"', f'tacacs-server key 7 "{R}"', ALL),
    ("cisco_nxos", 'radius-server host 10.1.1.1 key 7 "RadKey" authentication', f'radius-server host 10.1.1.1 key 7 "{R}" authentication', ALL),
    ("cisco_nxos", "    password 3 a667d47acc18ea6b", f"    password 3 {R}", ALL),
    ("cisco_nxos", "  ip ospf authentication-key 3 b6d8a9a9a6c4", f"  ip ospf authentication-key 3 {R}", ALL),
    ("cisco_nxos", "snmp-server community bogus123 group network-operator", f"snmp-server community {R} group network-operator", ALL),
    ("cisco_nxos", "snmp-server host 10.1.1.1 traps version 2c public udp-port 162", f"snmp-server host 10.1.1.1 traps version 2c {R} udp-port 162", ALL),
    ("cisco_nxos", "    authentication md5 key-string HsrpMd5", f"    authentication md5 key-string {R}", ALL),
    ("cisco_nxos", "    authentication text HsrpTxt", f"    authentication text {R}", ALL),
    ("cisco_nxos", "snmp-server mib community-map MapComm context c1", f"snmp-server mib community-map {R} context c1", ALL),
    ("cisco_nxos", "feature password encryption aes", SAME, SAME),
    ("cisco_nxos", "no password strength-check", SAME, SAME),
    # Arista EOS
    ("arista_eos", "username admin privilege 15 role network-admin secret sha512 $6$eucN5ngreu$xnD7T8", f"username admin privilege 15 role network-admin secret sha512 {R}", SAME),
    ("arista_eos", "aaa root secret sha512 $6$abc$def", f"aaa root secret sha512 {R}", SAME),
    ("arista_eos", "enable password sha512 $6$x$y", f"enable password sha512 {R}", SAME),
    ("arista_eos", "   neighbor EVPN-OVERLAY-PEERS password 7 Q4fqtbqcZ7oQuKfuWtNGRQ==", f"   neighbor EVPN-OVERLAY-PEERS password 7 {R}", ALL),
    ("arista_eos", "tacacs-server host 10.1.1.1 key 7 070E33455D1D", f"tacacs-server host 10.1.1.1 key 7 {R}", ALL),
    ("arista_eos", "tacacs-server key 7 070E33455D1D", f"tacacs-server key 7 {R}", ALL),
    ("arista_eos", "snmp-server community networktocode ro", f"snmp-server community {R} ro", ALL),
    ("arista_eos", "snmp-server user u1 g1 v3 localized 0000 auth sha 1a2b3c priv aes 3c4d5e", f"snmp-server user u1 g1 v3 localized 0000 auth sha {R} priv aes {R}", ALL),
    ("arista_eos", "   ip ospf message-digest-key 1 sha256 7 0832495D1D", f"   ip ospf message-digest-key 1 sha256 7 {R}", ALL),
    ("arista_eos", "   isis authentication key 7 1D03101E1B", f"   isis authentication key 7 {R}", ALL),
    ("arista_eos", "   vrrp 1 peer authentication text VrrpPw", f"   vrrp 1 peer authentication text {R}", ALL),
    ("arista_eos", "      key 1234 7 XYZ0123456", f"      key 1234 7 {R}", ALL),
    ("arista_eos", "service unsupported-transceiver ACME 1a2b3c4d", f"service unsupported-transceiver ACME {R}", ALL),
    ("arista_eos", "no enable password", SAME, SAME),
    ("arista_eos", "username admin privilege 15 role network-admin nopassword", SAME, SAME),
    # Ruijie RGOS (Cisco-like)
    ("ruijie_os", "enable secret 5 $1$bYqv$3yp0xyz", f"enable secret 5 {R}", SAME),
    ("ruijie_os", "username admin password 7 0343161a1a", f"username admin password 7 {R}", ALL),
    ("ruijie_os", "snmp-server community Ruijie123 ro", f"snmp-server community {R} ro", ALL),
    # Huawei VRP
    ("huawei_vrp", " local-user admin password irreversible-cipher $1a$`x{N4Gd-L)$rPQ;L}d&Q=$", f" local-user admin password irreversible-cipher {R}", SAME),
    ("huawei_vrp", " local-user a2 password irreversible-cipher %^%#a b#c d%^%#", f" local-user a2 password irreversible-cipher {R}", SAME),
    ("huawei_vrp", " local-user admin password cipher %^%#b'{@5W&m!N1+(7#Qv3z/X3~%^%#", f" local-user admin password cipher {R}", ALL),
    ("huawei_vrp", " local-user u2 password cipher %^%#with space # and hash%^%#", f" local-user u2 password cipher {R}", ALL),
    ("huawei_vrp", " local-user u3 password simple Plain123", f" local-user u3 password simple {R}", ALL),
    ("huawei_vrp", "snmp-agent community read cipher %^%#4A:3P!x5$b%^%#", f"snmp-agent community read cipher {R}", ALL),
    ("huawei_vrp", "snmp-agent community write PrivWrite", f"snmp-agent community write {R}", ALL),
    ("huawei_vrp", "snmp-agent usm-user v3 admin authentication-mode sha cipher %^%#AuthKey%^%#", f"snmp-agent usm-user v3 admin authentication-mode sha cipher {R}", ALL),
    ("huawei_vrp", "snmp-agent usm-user v3 admin privacy-mode aes128 cipher %^%#PrivKey%^%#", f"snmp-agent usm-user v3 admin privacy-mode aes128 cipher {R}", ALL),
    (
        "huawei_vrp",
        "snmp-agent usm-user v3 u1 g1 authentication-mode md5 AuthPlain privacy-mode des56 PrivPlain",
        f"snmp-agent usm-user v3 u1 g1 authentication-mode md5 {R} privacy-mode des56 {R}",
        ALL,
    ),
    (
        "huawei_vrp",
        "snmp-agent target-host trap address udp-domain 10.1.1.1 params securityname cipher %^%#Sec%^%# v2c",
        f"snmp-agent target-host trap address udp-domain 10.1.1.1 params securityname cipher {R} v2c",
        ALL,
    ),
    ("huawei_vrp", " pre-shared-key cipher %@%@Ab1,*Xy%@%@", f" pre-shared-key cipher {R}", ALL),
    ("huawei_vrp", " pre-shared-key simple IkePsk", f" pre-shared-key simple {R}", ALL),
    ("huawei_vrp", " radius-server shared-key cipher %^%#Rad%^%#", f" radius-server shared-key cipher {R}", ALL),
    ("huawei_vrp", " hwtacacs-server shared-key cipher %^%#Tac%^%#", f" hwtacacs-server shared-key cipher {R}", ALL),
    ("huawei_vrp", " peer 10.1.1.2 password cipher %^%#Bgp%^%#", f" peer 10.1.1.2 password cipher {R}", ALL),
    ("huawei_vrp", " peer 10.1.1.3 password simple BgpPlain", f" peer 10.1.1.3 password simple {R}", ALL),
    ("huawei_vrp", " ospf authentication-mode md5 1 cipher %^%#Ospf%^%#", f" ospf authentication-mode md5 1 cipher {R}", ALL),
    ("huawei_vrp", " authentication-mode hmac-sha256 1 cipher %$%$Hm 1%$%$", f" authentication-mode hmac-sha256 1 cipher {R}", ALL),
    ("huawei_vrp", " isis authentication-mode simple plain IsisPlain", f" isis authentication-mode simple plain {R}", ALL),
    ("huawei_vrp", " area-authentication-mode md5 cipher %^%#Area%^%#", f" area-authentication-mode md5 cipher {R}", ALL),
    ("huawei_vrp", "super password level 15 cipher %@%@SuperPw%@%@", f"super password level 15 cipher {R}", ALL),
    ("huawei_vrp", " set authentication password cipher %^%#Vty%^%#", f" set authentication password cipher {R}", ALL),
    ("huawei_vrp", " security wpa2 psk pass-phrase cipher %^%#WlanPsk%^%# aes", f" security wpa2 psk pass-phrase cipher {R} aes", ALL),
    ("huawei_vrp", " pin verify auto 1234", f" pin verify auto {R}", ALL),
    ("huawei_vrp", " radius-server shared-key OldPlainKey", f" radius-server shared-key {R}", ALL),
    ("huawei_vrp", " wep-key 0 wep-40 pass-phrase WepPlain", f" wep-key 0 wep-40 pass-phrase {R}", ALL),
    ("huawei_vrp", "ssh server cipher aes256_gcm aes128_gcm aes256_ctr", SAME, SAME),
    ("huawei_vrp", " vpn-instance-capability simple", SAME, SAME),
    ("huawei_vrp", " description password cipher %^%#x%^%# is documented", SAME, SAME),
    # H3C / HPE Comware
    ("hp_comware", " password hash $h$6$Zk1R$abcdef==", f" password hash {R}", SAME),
    ("hp_comware", " super password role network-admin hash $h$6$xx$yy", f" super password role network-admin hash {R}", SAME),
    ("hp_comware", " password cipher $c$3$ab12==", f" password cipher {R}", ALL),
    ("hp_comware", " password simple Admin@123", f" password simple {R}", ALL),
    ("hp_comware", " key authentication cipher $c$3$xyz", f" key authentication cipher {R}", ALL),
    ("hp_comware", " key accounting simple AcctKey", f" key accounting simple {R}", ALL),
    ("hp_comware", " key authentication RadPlain", f" key authentication {R}", ALL),
    ("hp_comware", " snmp-agent community read Test-Community acl 1234", f" snmp-agent community read {R} acl 1234", ALL),
    ("hp_comware", " snmp-agent community write simple WriteComm", f" snmp-agent community write simple {R}", ALL),
    (
        "hp_comware",
        " snmp-agent usm-user v3 user1 group1 cipher authentication-mode sha $c$3$auth privacy-mode aes128 $c$3$priv",
        f" snmp-agent usm-user v3 user1 group1 cipher authentication-mode sha {R} privacy-mode aes128 {R}",
        ALL,
    ),
    (
        "hp_comware",
        " pre-shared-key address 1.1.1.1 255.255.255.255 key cipher $c$3$psk",
        f" pre-shared-key address 1.1.1.1 255.255.255.255 key cipher {R}",
        ALL,
    ),
    ("hp_comware", "  peer 192.0.2.61 password cipher $c$3$1234", f"  peer 192.0.2.61 password cipher {R}", ALL),
    ("hp_comware", " ntp-service authentication-keyid 1 authentication-mode md5 cipher $c$3$ntp", f" ntp-service authentication-keyid 1 authentication-mode md5 cipher {R}", ALL),
    ("hp_comware", " vrrp vrid 1 authentication-mode simple plain VrrpPlain", f" vrrp vrid 1 authentication-mode simple plain {R}", ALL),
    ("hp_comware", " password-recovery enable", SAME, SAME),
    ("hp_comware", " vpn-target 65001:1 import-extcommunity", SAME, SAME),
    # Forms that once reached Git history unsanitised (first three), then the ones found in public
    # sanitiser rule sets and vendor command references.
    ("cisco_ios", " ip nhrp authentication DmvpnKey", f" ip nhrp authentication {R}", ALL),
    ("cisco_ios", " bind authenticate root-dn CN=svc,OU=x,DC=corp,DC=com password LdapPw1", f" bind authenticate root-dn CN=svc,OU=x,DC=corp,DC=com password {R}", ALL),
    ("huawei_vrp", " vrrp vrid 1 authentication-mode md5 VrrpMd5Key", f" vrrp vrid 1 authentication-mode md5 {R}", ALL),
    ("huawei_vrp", " vrrp vrid 2 authentication-mode simple VrrpSimple", f" vrrp vrid 2 authentication-mode simple {R}", ALL),
    ("huawei_vrp", " vrrp vrid 3 authentication-mode md5 12345678", f" vrrp vrid 3 authentication-mode md5 {R}", ALL),
    ("huawei_vrp", " vrrp vrid 4 authentication-mode md5 cipher %^%#Vr%^%#", f" vrrp vrid 4 authentication-mode md5 cipher {R}", ALL),
    ("huawei_vrp", " ospf authentication-mode md5 1 OspfNoCipher", f" ospf authentication-mode md5 1 {R}", ALL),
    ("huawei_vrp", "  authentication-mode hmac-sha256 1 AreaHmac", f"  authentication-mode hmac-sha256 1 {R}", ALL),
    ("huawei_vrp", " isis authentication-mode md5 IsisMd5", f" isis authentication-mode md5 {R}", ALL),
    ("huawei_vrp", " area-authentication-mode md5 AreaMd5", f" area-authentication-mode md5 {R}", ALL),
    ("huawei_vrp", " rip authentication-mode md5 nonstandard RipMd5 1", f" rip authentication-mode md5 nonstandard {R} 1", ALL),
    ("huawei_vrp", "ntp-service authentication-keyid 1 authentication-mode md5 NtpPlain", f"ntp-service authentication-keyid 1 authentication-mode md5 {R}", ALL),
    ("huawei_vrp", " bfd authentication-mode md5 key-id 1 BfdKey", f" bfd authentication-mode md5 key-id 1 {R}", ALL),
    ("huawei_vrp", " md5-password plain 10.1.1.1 LdpPlain", f" md5-password plain 10.1.1.1 {R}", ALL),
    ("huawei_vrp", " md5-password cipher 10.1.1.2 %^%#Ldp%^%#", f" md5-password cipher 10.1.1.2 {R}", ALL),
    ("huawei_vrp", " sa string-key outbound esp SaKey", f" sa string-key outbound esp {R}", ALL),
    ("huawei_vrp", " ldap-server authentication manager cn=admin LdapMgr", f" ldap-server authentication manager cn=admin {R}", ALL),
    ("huawei_vrp", " ospf authentication-mode keychain KC1", SAME, SAME),
    ("huawei_vrp", " authentication-mode aaa", SAME, SAME),
    ("huawei_vrp", " vrrp vrid 1 authentication-mode md5", SAME, SAME),
    ("hp_comware", " snmp-agent community PlainRole user-role network-operator", f" snmp-agent community {R} user-role network-operator", ALL),
    ("hp_comware", " snmp-agent community cipher $c$3$role user-role network-admin", f" snmp-agent community cipher {R} user-role network-admin", ALL),
    ("huawei_vrp", "snmp-agent community complexity-check disable", SAME, SAME),
    ("hp_comware", " vrrp vrid 1 authentication-mode md5 cipher $c$3$vrrp", f" vrrp vrid 1 authentication-mode md5 cipher {R}", ALL),
    ("cisco_ios", " ip nhrp authentication 7 0822455D0A16", f" ip nhrp authentication 7 {R}", ALL),
    ("cisco_nxos", 'ldap-server host 10.1.1.1 rootDN "cn=x,dc=y" password LdapNx port 389', f'ldap-server host 10.1.1.1 rootDN "cn=x,dc=y" password {R} port 389', ALL),
    ("cisco_ios", " l2tp tunnel password L2tpPw", f" l2tp tunnel password {R}", ALL),
    ("cisco_ios", " key-octet-string 0123456789ABCDEF0123456789ABCDEF cryptographic-algorithm AES_128_CMAC", f" key-octet-string {R} cryptographic-algorithm AES_128_CMAC", ALL),
    ("cisco_ios", " key-octet-string 7 075E731F1A5C4F524D cryptographic-algorithm AES_128_CMAC", f" key-octet-string 7 {R} cryptographic-algorithm AES_128_CMAC", ALL),
    ("cisco_ios", " pac key PacKey1", f" pac key {R}", ALL),
    ("cisco_ios", " authentication local pre-share key Ikev2Psk", f" authentication local pre-share key {R}", ALL),
    ("cisco_ios", " authentication remote pre-share key 6 Ikev2Aes", f" authentication remote pre-share key 6 {R}", ALL),
    ("cisco_ios", " authentication remote pre-share", SAME, SAME),
    ("cisco_ios", " ipv6 ospf authentication ipsec spi 256 md5 0123456789ABCDEF0123456789ABCDEF", f" ipv6 ospf authentication ipsec spi 256 md5 {R}", ALL),
    ("cisco_ios", " ospfv3 authentication ipsec spi 257 sha1 7 Ospf3Key", f" ospfv3 authentication ipsec spi 257 sha1 7 {R}", ALL),
    ("cisco_ios", " area 1 authentication ipsec spi 500 sha1 AreaIpsec", f" area 1 authentication ipsec spi 500 sha1 {R}", ALL),
    ("cisco_ios", " ipv6 ospf encryption ipsec spi 1001 esp aes-cbc 128 EncKey1 sha1 AuthKey1", f" ipv6 ospf encryption ipsec spi 1001 esp aes-cbc 128 {R} sha1 {R}", ALL),
    ("cisco_ios", " ipv6 ospf encryption ipsec spi 1002 esp null md5 AuthKey2", f" ipv6 ospf encryption ipsec spi 1002 esp null md5 {R}", ALL),
    ("cisco_ios", " authentication username sipuser password SipPw", f" authentication username sipuser password {R}", ALL),
    ("cisco_ios", " password 6 AesTypeSix", f" password 6 {R}", ALL),
    ("cisco_ios", " tunnel key 5", SAME, SAME),
    ("cisco_nxos", "  bfd authentication keyed-sha1 key-id 1 key BfdNx", f"  bfd authentication keyed-sha1 key-id 1 key {R}", ALL),
    ("cisco_ios", "ip msdp password peer 10.1.1.1 MsdpPw", f"ip msdp password peer 10.1.1.1 {R}", ALL),
    ("cisco_nxos", "ip msdp password 10.1.1.1 MsdpNx", f"ip msdp password 10.1.1.1 {R}", ALL),
    ("cisco_ios", "mpls ldp password fallback 7 LdpFall", f"mpls ldp password fallback 7 {R}", ALL),
    ("cisco_ios", "mpls ldp password required", SAME, SAME),
    ("cisco_nxos", "  ip pim hello-authentication ah-md5 3 PimKey", f"  ip pim hello-authentication ah-md5 3 {R}", ALL),
    ("cisco_ios", "vpdn username u1 password VpdnPw", f"vpdn username u1 password {R}", ALL),
    ("ruijie_os", "snmp-server user u g v3 auth md5 RjAuth priv des56 RjPriv", f"snmp-server user u g v3 auth md5 {R} priv des56 {R}", ALL),
    ("ruijie_os", "webmaster level 0 username admin password WebPw", f"webmaster level 0 username admin password {R}", ALL),
    ("ruijie_os", "ip ftp username u password FtpRj", f"ip ftp username u password {R}", ALL),
    ("ruijie_os", " security wpa akm psk set-key ascii WlanRj", f" security wpa akm psk set-key ascii {R}", ALL),
    ("arista_eos", "   exec /usr/bin/TerminAttr -cvaddr=10.1.1.1:9910 -cvauth=key,CvKey1 -smashexcludes=ale", f"   exec /usr/bin/TerminAttr -cvaddr=10.1.1.1:9910 -cvauth=key,{R} -smashexcludes=ale", ALL),
    ("arista_eos", "   exec /usr/bin/TerminAttr -cvauth=token,/tmp/token", SAME, SAME),
    ("arista_eos", "      secret 1 7 046D0F1A5C 12/31/2023 00:00:00 infinite", f"      secret 1 7 {R} 12/31/2023 00:00:00 infinite", ALL),
    ("juniper_junos", "set system ntp authentication-key 1 type md5 value NtpJunos", f"set system ntp authentication-key 1 type md5 value {R}", ALL),
    ("juniper_junos", "set system tacplus-server 10.1.1.1 secret TacSet", f"set system tacplus-server 10.1.1.1 secret {R}", ALL),
    ("juniper_junos", '        authentication-key "$8$aes256-gcm$hmac-sha2-256$100$YWJj"; ## SECRET-DATA', f'        authentication-key "{R}"; ## SECRET-DATA', ALL),
    ("juniper_junos", 'set system radius-server 10.1.1.1 secret "$8$aes256-gcm$hmac-sha2-256$100$ZGVm"', f'set system radius-server 10.1.1.1 secret "{R}"', ALL),
    ("juniper_junos", '                    md5 1 key "OspfPlain";', f'                    md5 1 key "{R}";', ALL),
    ("juniper_junos", 'set protocols ospf area 0 interface ge-0/0/0 authentication simple-password "SimplePw"', f'set protocols ospf area 0 interface ge-0/0/0 authentication simple-password "{R}"', ALL),
    ("juniper_junos", "set security ipsec policy p perfect-forward-secrecy keys group14", SAME, SAME),
    # Juniper Junos
    ("juniper_junos", 'set system root-authentication encrypted-password "$6$l.w9q1ej$o6wp"', f'set system root-authentication encrypted-password "{R}"', SAME),
    ("juniper_junos", '        encrypted-password "$1$CXKwIUfL$6vLSva"; ## SECRET-DATA', f'        encrypted-password "{R}"; ## SECRET-DATA', SAME),
    ("juniper_junos", '    encrypted-password "$5$abc$def";', f'    encrypted-password "{R}";', SAME),
    ("juniper_junos", '    secret "$9$abcDEF"; ## SECRET-DATA', f'    secret "{R}"; ## SECRET-DATA', ALL),
    ("juniper_junos", '        authentication-key "$9$xyz.Q"; ## SECRET-DATA', f'        authentication-key "{R}"; ## SECRET-DATA', ALL),
    ("juniper_junos", 'set security ike policy p pre-shared-key ascii-text "$9$/E6g9tO1Ic"', f'set security ike policy p pre-shared-key ascii-text "{R}"', ALL),
    ("juniper_junos", "set snmp community public authorization read-only", f"set snmp community {R} authorization read-only", ALL),
    ("juniper_junos", "set snmp v3 usm local-engine user u1 authentication-sha authentication-password Plain1pw", f"set snmp v3 usm local-engine user u1 authentication-sha authentication-password {R}", ALL),
    ("juniper_junos", '  ssh-rsa "ssh-rsa AAAAB3Nza user@host"; ## SECRET-DATA', f'  ssh-rsa "{R}"; ## SECRET-DATA', SAME),
    (
        "juniper_junos",
        '    "ftp://user:FtpPw@10.0.0.1/backup/" password "$9$FAKE"; ## SECRET-DATA',
        f'    "ftp://user:{R}@10.0.0.1/backup/" password "{R}"; ## SECRET-DATA',
        ALL,
    ),
    ("juniper_junos", '    description "password $9$ is not here";', SAME, SAME),
    ("juniper_junos", "    community fabric members target:1:1;", SAME, SAME),
    ("juniper_junos", '    authentication ssh-rsa "ssh-rsa AAAAB3Nza user@host";', SAME, SAME),
]


@pytest.mark.parametrize(("platform", "line", "want_all", "want_rev"), CASES, ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
def test_line_table(platform: str, line: str, want_all, want_rev) -> None:
    want_all = line if want_all is SAME else want_all
    want_rev = line if want_rev is SAME else want_all if want_rev is ALL else want_rev
    assert sanitize(line, platform, "all") == want_all
    assert sanitize(line, platform, "reversible") == want_rev
    assert sanitize(line, platform, "none") == line
    assert sanitize(want_all, platform, "all") == want_all  # a sanitized line is left alone
    if want_all != line:
        # find_secrets reports exactly what disappeared.
        for value in find_secrets(line, platform):
            assert value not in want_all or line.count(value) > 1
        assert find_secrets(line, platform)


JUNOS_TREE = """\
snmp {
    location "Rack 4";
    community S3cretComm {
        authorization read-only;
    }
    community "Quoted Comm";
}
policy-options {
    policy-statement p {
        term t {
            from {
                community fabric;
            }
        }
    }
    community fabric members target:1:1;
}
"""


def test_junos_tree_snmp_community_only_inside_snmp_block() -> None:
    out = sanitize(JUNOS_TREE, "juniper_junos")
    assert "S3cretComm" not in out and "Quoted Comm" not in out
    assert f"    community {R} {{" in out and f'    community "{R}";' in out
    assert "                community fabric;" in out  # a policy match, not a secret
    assert "    community fabric members target:1:1;" in out
    assert find_secrets(JUNOS_TREE, "juniper_junos") == ["S3cretComm", "Quoted Comm"]


def test_already_redacted_values_are_not_reported() -> None:
    text = "username admin password 5 <redacted_config>  role network-admin\n"
    assert sanitize(text, "cisco_nxos") == text
    assert find_secrets(text, "cisco_nxos") == []


def test_every_rule_is_exercised_by_the_table() -> None:
    # A rule nobody tests is a rule nobody knows works; list the ones the table never fires.
    fired: set[str] = set()
    for platform, line, want_all, _ in CASES:
        if want_all is SAME:
            continue
        for rule in RULES[platform]:
            if rule.pattern.search(line) and (rule.unless is None or not rule.unless.search(line)):
                fired.add(rule.name)
    fired.add("snmp community (tree)")  # covered by the Junos tree test above
    unused = {r.name for rules in RULES.values() for r in rules} - fired
    assert not unused, unused


@pytest.mark.parametrize("platform", sorted(RULES))
def test_pathological_long_lines_stay_one_line(platform: str) -> None:
    # How their time grows with the length (linear, not quadratic) is measured by bench/sanitize.py.
    lines = ["x" * 20000 + " ## SECRET-DATA", "a" * 20000 + "://", "%^%#" * 5000, " " * 20000 + "key", "\t" * 20000 + ";"]
    for line in lines:
        assert "\n" not in sanitize(line, platform)


PEM_TREE = """\
security {
    certificates {
        local NPCERT "-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAKeyLine1
KeyLine2+/==
-----END RSA PRIVATE KEY-----
-----BEGIN CERTIFICATE-----
MIIDPublicCertLine
-----END CERTIFICATE-----
"; ## SECRET-DATA
    }
}
"""


@pytest.mark.parametrize("platform", sorted(RULES))
def test_multi_line_private_key_is_removed_line_by_line(platform: str) -> None:
    # One-line rules cannot see a PEM key's body lines: they are removed between BEGIN and END,
    # at both levels, keeping the line count; the certificate (public) stays.
    for level in ("reversible", "all"):
        out = sanitize(PEM_TREE, platform, level)
        assert out.count("\n") == PEM_TREE.count("\n")
        assert "KeyLine1" not in out and "KeyLine2" not in out, out
        assert "-----END RSA PRIVATE KEY-----" in out and "MIIDPublicCertLine" in out
    assert find_secrets(PEM_TREE, platform)[:2] == ["MIIEowIBAAKCAQEAKeyLine1", "KeyLine2+/=="]
    one_line = 'local X "-----BEGIN PRIVATE KEY-----\\nMIIOneLine\\n-----END PRIVATE KEY-----\\n"; ## SECRET-DATA'
    assert "MIIOneLine" not in sanitize(one_line, platform)


DIFF_CASES = [
    # IOS `show archive config differences` (contextual: the mark after the indentation).
    ("cisco_ios", "line vty 0 4\n +password VtyPw1\n+snmp-server community CommPw2 RO\n-enable password EnPw3\n"),
    # NX-OS / EOS `show running-config diff(s)` (unified).
    ("cisco_nxos", "--- running\n+++ startup\n@@ -1,2 +1,2 @@\n-snmp-server community CommPw4 group network-operator\n+ key 7 \"KeyPw5\"\n"),
    ("arista_eos", "+username u1 privilege 15 secret 0 UserPw6\n-snmp-server community CommPw7 ro\n"),
    # Comware `display diff`.
    ("hp_comware", "+ snmp-agent community read CommPw8\n- local-user a\n-  password simple UserPw9\n"),
    # Junos `show system rollback 1 compare 0`: hunk headers name the hierarchy.
    ("juniper_junos", "[edit snmp]\n+   community CommPw10 {\n+       authorization read-only;\n+   }\n"),
]


@pytest.mark.parametrize(("platform", "text"), DIFF_CASES, ids=[p for p, _ in DIFF_CASES])
def test_diff_marked_config_lines_lose_their_secrets(platform: str, text: str) -> None:
    out = sanitize(text, platform)
    assert not re.search(r"(?:Comm|En|User|Vty|Key)Pw\d", out), out
    assert out.count("\n") == text.count("\n")
    # The marks stay where they were: the diff still reads as a diff.
    assert [ln[:2].strip(" ")[:1] for ln in out.split("\n")] == [ln[:2].strip(" ")[:1] for ln in text.split("\n")]


def test_junos_policy_community_in_a_diff_is_kept() -> None:
    text = "[edit policy-options]\n+   community fabric members target:1:1;\n"
    assert sanitize(text, "juniper_junos") == text


LOGGED_CASES = [
    ("cisco_ios", "*Dec  4 10:00:01.123: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:snmp-server community LogPw1 RO"),
    ("cisco_ios", "Dec  4 10:00:02: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:username bob password 0 LogPw2"),
    ("huawei_vrp", 'Dec  4 2026 10:00:03 HW %%01SHELL/5/CMDRECORD(s)[0]:Recorded command information. (Task=VT0, Ip=10.1.1.1, '
                   'VpnName=, User=admin, AuthenticationMethod="Local-user", Command="local-user u password irreversible-cipher LogPw3", Result=Success)'),
    ("hp_comware", "%Dec  4 10:00:04:000 2026 H3C SHELL/6/SHELL_CMD: -Line=vty0-IPAddr=10.1.1.1-User=admin; Command is snmp-agent community read simple LogPw4"),
    ("juniper_junos", "Dec  4 10:00:05  mgd[123]: UI_CMDLINE_READ_LINE: User 'admin', command 'set snmp community LogPw5 authorization read-only '"),
]


@pytest.mark.parametrize(("platform", "line"), LOGGED_CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(LOGGED_CASES)])
def test_config_commands_quoted_in_log_lines_lose_their_secrets(platform: str, line: str) -> None:
    out = sanitize(line, platform)
    assert not re.search(r"LogPw\d", out), out
    assert out.split(":")[0] == line.split(":")[0] and PLACEHOLDER in out

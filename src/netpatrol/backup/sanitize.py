"""Remove secrets from configuration text, at RANCID-like levels (FILTER_PWDS = NO / YES / ALL).

Each secret is replaced in place by `<removed>` so the line count, the indentation and the
words around it stay as they were: diffs between two backups still show which line changed.

Platform knowledge is the table `RULES` (platform -> list of `SecretRule`). A rule is one regex;
every *unnamed* capturing group in it is a secret value, and the optional named group `t` is the
Cisco-style type token ("7", "5", "sha512") that decides whether the value is reversible or a hash.

netutils' `sanitize_config` is a plain `re.sub` loop over whole-text filters and its bundled
filters (`_PROVIDED_SANITIZE_FILTERS`) are two private NX-OS/IOS username examples; we need the
values themselves (for `find_secrets`), levels, and a per-line guard for descriptions, so the
engine below is our own and the rules are data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from netpatrol.errors import UsageError

PLACEHOLDER = "<removed>"


class SecretLevel(str, Enum):
    NONE = "none"  # keep everything
    REVERSIBLE = "reversible"  # plain text and reversibly encrypted secrets (type 0/7, cipher, $9$)
    ALL = "all"  # also one-way hashes (type 5/8/9, sha512, irreversible-cipher, $1$/$6$)


# Reversible secrets are removed at both levels; hashes only at ALL.
REVERSIBLE, HASH, TYPED = "reversible", "hash", "typed"
# Type tokens that denote a one-way hash; every other type (0, 3, 6, 7, none) can be reversed.
HASH_TYPES = frozenset({"4", "5", "8", "9", "sha512"})

# Free text, never configuration: a description mentioning "password 7 foo" must survive.
_FREE_TEXT = re.compile(r"^\s*(?:description|remark|alias|display-name)\s", re.IGNORECASE)
# A value someone already redacted (netutils writes <redacted_config>, Golden Config <REDACTED>).
_ALREADY_REDACTED = re.compile(r'^"?<[^<>\s]*>"?$')


@dataclass(frozen=True)
class SecretRule:
    name: str
    kind: str  # REVERSIBLE, HASH or TYPED (decided by the `t` group)
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None  # skip the rule on lines matching this
    # Brace-structured configs (Junos): apply only inside blocks whose path matches, because a
    # line such as `community fabric;` is an SNMP secret under `snmp {` but a policy match elsewhere.
    within: re.Pattern[str] | None = None
    # A literal the line must contain (compared lower-case): spares a regex that would backtrack,
    # and most lines the cost of a search.
    needs: str | None = None

    def level_of(self, match: re.Match[str]) -> SecretLevel:
        kind = self.kind
        if kind == TYPED:
            kind = HASH if (match.groupdict().get("t") or "").lower() in HASH_TYPES else REVERSIBLE
        return SecretLevel.ALL if kind == HASH else SecretLevel.REVERSIBLE


def _r(
    name: str, kind: str, regex: str, unless: str | None = None, within: str | None = None, needs: str | None = None
) -> SecretRule:
    def opt(rx: str | None) -> re.Pattern[str] | None:
        return re.compile(rx, re.IGNORECASE) if rx else None

    return SecretRule(name, kind, re.compile(regex, re.IGNORECASE), opt(unless), opt(within), needs.lower() if needs else None)


# --- value shapes -------------------------------------------------------------------------------
V = r'("[^"]*"|\S+)'  # Cisco-style value: a token, or a quoted string (NX-OS quotes keys)
T = r"(?:(?P<t>\d|sha512)\s+)?"  # optional type token before the value
# Huawei/H3C wrappers may hold spaces and '#'; match them whole before falling back to a token.
VH = r'(%\^%#.*?%\^%#|%@%@.*?%@%@|%\$%\$.*?%\$%\$|"[^"]*"|\S+)'
# Huawei/H3C keywords that are never the secret itself ("simple cipher X", "cipher authentication-mode").
NOT_KW = r"(?!(?:cipher|simple|plain|irreversible-cipher|hash|authentication-mode|privacy-mode)(?:\s|$))"
VJ = r'("[^"]*"|[^\s;"]+)'  # Junos value: quoted, or up to the ';'

COMMON = [
    # The look-behind pins the scheme to a token start; without it a long token costs O(n^2).
    _r("URL user:password", REVERSIBLE, r'(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://[^\s/:@"]+:([^\s/@"]+)@'),
]

CISCO = [
    _r("enable password/secret", TYPED, rf"^\s*enable\s+(?:password|secret)\s+(?:level\s+\d+\s+)?{T}{V}"),
    _r("username password/secret", TYPED, rf"^\s*username\s+\S+\s+(?:.*?\s)?(?:password|secret)\s+{T}{V}"),
    # Not at line start: Ruijie `webmaster level 0 username U password P`, `ip ftp username U password P`.
    _r("inline username password", TYPED, rf"(?<=\S)\s+username\s+\S+\s+password\s+{T}{V}", needs="username"),
    _r("aaa root secret", TYPED, rf"^\s*aaa\s+root\s+secret\s+{T}{V}"),
    # Not EOS `secret 1 7 KEY ...` (a shared-secret profile: key id, type, key): see its own rule.
    _r("line/neighbor-block password", TYPED, rf"^\s+(?:password|secret)\s+(?!\d+\s+(?:0|7|8a)\s+\S){T}{V}"),
    _r("eos shared-secret profile", TYPED, rf"^\s+secret\s+\d+\s+(?P<t>0|7|8a)\s+{V}"),
    _r("typed password/secret/key", TYPED,
       rf"(?<![\w-])(?:password|secret|key|key-string|server-key)\s+(?P<t>[0-9])\s+(?!(?:0|7|8a)\s+\S){V}"),
    # Ruijie (and some IOS-XE) print an encryption type before the value: "community 7 0822455D0A16".
    _r("snmp community", REVERSIBLE, rf"^\s*snmp-server\s+community\s+(?:[07]\s+(?=\S))?{V}"),
    _r("snmp mib community-map", REVERSIBLE, rf"^\s*snmp-server\s+mib\s+community-map\s+{V}"),
    _r(
        "snmp host community",
        REVERSIBLE,
        r"^\s*snmp-server\s+host\s+\S+(?:\s+vrf\s+\S+)?(?:\s+(?:informs|traps))?"
        # Only v1/v2c: after "version 3 auth" comes a user name, not a community.
        rf"(?:\s+version\s+(?:1|2c))?\s+(?!(?:version|informs|traps|vrf)\b){V}",
    ),
    _r("snmpv3 auth key", REVERSIBLE, rf"^\s*snmp-server\s+user\s.*?\sauth\s+\S+\s+{V}"),
    _r(
        "snmpv3 priv key",
        REVERSIBLE,
        rf"^\s*snmp-server\s+user\s.*?\spriv\s+(?:(?:des|des56|3des|aes(?:-128)?(?:\s+(?:128|192|256))?|aes128|aes192|aes256)\s+)?{V}",
    ),
    _r("tacacs/radius key", TYPED, rf"^\s*(?:tacacs-server|radius-server|server-private)\b.*?\skey\s+{T}{V}"),
    _r("server block key", TYPED, rf"^\s+key\s+{T}(?!\d+\s*$)(?!\S+\s+\d\s+\S){V}"),
    _r("macsec key", TYPED, rf"^\s+key\s+[0-9a-f]+\s+(?P<t>\d)\s+{V}"),
    _r("config-key", REVERSIBLE, rf"^\s*key\s+config-key\s+(?:password-encrypt\s+)?{V}"),
    _r("isakmp key", TYPED, rf"^\s*crypto\s+isakmp\s+key\s+{T}{V}"),
    _r("keyring pre-shared-key", TYPED, rf"\bpre-shared-key\s+(?:address|hostname)\s+\S+(?:\s+\d+\.\d+\.\d+\.\d+)?\s+key\s+{T}{V}"),
    _r("pre-shared-key", TYPED, rf"(?<![\w-])pre-shared-key\s+(?:(?:local|remote)\s+)?{T}(?!(?:address|hostname)\b){V}"),
    _r("bgp neighbor password", TYPED, rf"\bneighbor\s+\S+\s+password\s+{T}{V}"),
    _r("authentication-key", TYPED, rf"\bauthentication-key\s+{T}{V}", unless=r"^\s*ntp\s"),
    _r("ntp authentication-key", TYPED, rf"^\s*ntp\s+authentication-key\s+\d+\s+\S+\s+{T}{V}"),
    _r("message-digest-key", TYPED, rf"\bmessage-digest-key\s+\d+\s+\S+\s+{T}{V}"),
    _r("isis domain/area password", REVERSIBLE, rf"^\s*(?:domain-password|area-password)\s+{V}"),
    _r("isis password", REVERSIBLE, rf"\bisis\s+password\s+{V}"),
    _r("authentication key", TYPED, rf"\bauthentication\s+key\s+{T}{V}"),
    _r("hsrp/vrrp text auth", REVERSIBLE,
       rf"\b(?:standby|vrrp)\s+(?:\d+\s+)?(?:peer\s+)?authentication\s+(?:text\s+)?(?!(?:md5|ietf-md5|text)\b){V}"),
    _r("authentication text", REVERSIBLE, rf"\bauthentication\s+text\s+{V}"),
    _r("key-string", TYPED, rf"\bkey-string\s+{T}{V}"),
    _r("eigrp hmac", TYPED, rf"\bauthentication\s+mode\s+hmac-sha-256\s+{T}{V}"),
    _r("ppp chap/pap", TYPED, rf"\bppp\s+(?:chap|pap)\s+(?:password|sent-username\s+\S+\s+password)\s+{T}{V}"),
    _r("wpa psk", TYPED, rf"\b(?:wpa-psk|psk\s+set-key)\s+(?:ascii|hex)\s+{T}{V}"),
    _r("server-key", TYPED, rf"\bserver-key\s+{T}{V}"),
    _r("ftp/http client password", TYPED, rf"^\s*ip\s+(?:ftp|http\s+client)\s+password\s+{T}{V}"),
    _r("unsupported-transceiver key", REVERSIBLE, rf"^\s*service\s+unsupported-transceiver\s+\S+\s+{V}"),
    _r("nhrp authentication", TYPED, rf"\bnhrp\s+authentication\s+{T}{V}", needs="nhrp"),
    # IOS `ldap server` block `bind authenticate root-dn DN password P`; NX-OS `ldap-server host H rootDN "DN" password P`.
    _r("ldap bind password", TYPED, rf"\b(?:root-dn|rootDN)\s+(?:\"[^\"]*\"|\S+)\s+password\s+{T}{V}"),
    _r("l2tp tunnel password", TYPED, rf"\bl2tp\s+tunnel\s+password\s+{T}{V}", needs="l2tp"),
    _r("macsec key-octet-string", TYPED, rf"\bkey-octet-string\s+{T}{V}", needs="key-octet-string"),
    _r("radius pac key", TYPED, rf"\bpac\s+key\s+{T}{V}", needs="pac"),
    _r("ikev2 pre-share key", TYPED, rf"\bpre-share\s+key\s+{T}{V}", needs="pre-share"),
    _r("ospfv3 ipsec authentication", TYPED, rf"\bauthentication\s+ipsec\s+spi\s+\d+\s+(?:md5|sha1)\s+{T}{V}", needs="ipsec"),
    _r(
        "ospfv3 ipsec encryption",
        REVERSIBLE,
        r"\bencryption\s+ipsec\s+spi\s+\d+\s+esp\s+(?:null|(?:aes-cbc\s+(?:128|192|256)|3des|des)\s+(?:\d\s+)?"
        rf"{V})\s+(?:md5|sha1)\s+(?:\d\s+)?{V}",
    ),
    _r("bfd key-id key", REVERSIBLE, rf"\bkey-id\s+\d+\s+(?:hex-key|key)\s+{V}", needs="key-id"),
    _r("eos terminattr cvauth key", REVERSIBLE, r"-cvauth=key,([^\s,]+)", needs="-cvauth"),
    _r("msdp peer password", TYPED, rf"\bmsdp\s+password\s+(?:peer\s+)?\S+\s+{T}{V}", needs="msdp"),
    _r("ldp password fallback", TYPED, rf"\bldp\s+password\s+fallback\s+{T}{V}", needs="fallback"),
    _r("pim hello authentication", TYPED, rf"\bhello-authentication\s+ah-md5\s+{T}{V}", needs="hello-authentication"),
]

HUAWEI = [
    # Not `md5-password plain PEER KEY`: the word after `plain` there is the peer (own rule below).
    _r(
        "cipher/simple/plain",
        REVERSIBLE,
        rf"(?<![\w-])(?:cipher|simple|plain)\s+{NOT_KW}{VH}",
        unless=r"^\s*(?:undo\s+)?ss[hl]\s|\bmd5-password\s",
    ),
    _r("irreversible-cipher", HASH, rf"(?<![\w-])irreversible-cipher\s+{VH}"),
    # VRP's `[cipher]` is optional: `vrrp vrid 1 authentication-mode md5 KEY`, `ospf authentication-mode
    # md5 1 KEY`, `rip authentication-mode md5 nonstandard KEY 1`. A key id is a key id only when a
    # value follows it (possessive, so a bare numeric key is still the value).
    _r(
        "authentication-mode value",
        REVERSIBLE,
        r"authentication-mode\s+(?:md5|hmac-md5|hmac-sha1|hmac-sha256|hmac-sha-256|sha256)"
        r"(?:\s+(?:nonstandard|usual|rfc2082|rfc2453))?(?:\s+(?:key-id\s+)?\d+(?=\s+\S))?+"
        rf"\s+{NOT_KW}(?!keychain(?:\s|$)){VH}",
        needs="authentication-mode",
    ),
    _r("ldp md5-password", REVERSIBLE, rf"\bmd5-password\s+(?:plain|cipher)\s+\S+\s+{VH}", needs="md5-password"),
    _r("ipsec sa string-key", REVERSIBLE, rf"\bsa\s+string-key\s+(?:inbound|outbound)\s+(?:esp|ah)\s+{NOT_KW}{VH}", needs="string-key"),
    _r("ldap manager password", REVERSIBLE, rf"\bldap-server\s+authentication\s+manager\s+\S+\s+{NOT_KW}{VH}", needs="ldap-server"),
    # Comware 7: `snmp-agent community [cipher|simple] NAME user-role ROLE` (no read/write).
    _r(
        "snmp-agent community (role)",
        REVERSIBLE,
        rf"^\s*snmp-agent\s+community\s+(?!(?:read|write|complexity-check)(?:\s|$)){NOT_KW}{VH}",
    ),
    _r("password hash", HASH, rf"^(?=.*\bpassword\b).*?(?<![\w-])hash\s+{NOT_KW}{VH}"),
    _r("snmp-agent community", REVERSIBLE, rf"^\s*snmp-agent\s+community\s+(?:read|write)\s+(?:(?:cipher|simple)\s+)?{NOT_KW}{VH}"),
    _r("usm-user auth key", REVERSIBLE,
       rf"^\s*snmp-agent\s+usm-user\b.*?\bauthentication-mode\s+\S+\s+(?:(?:cipher|simple|plain)\s+)?{NOT_KW}{VH}"),
    _r("usm-user priv key", REVERSIBLE,
       rf"^\s*snmp-agent\s+usm-user\b.*?\bprivacy-mode\s+\S+\s+(?:(?:cipher|simple|plain)\s+)?{NOT_KW}{VH}"),
    _r("target-host securityname", REVERSIBLE, rf"\bsecurityname\s+(?:(?:cipher|simple)\s+)?{NOT_KW}{VH}"),
    _r("shared-key", REVERSIBLE, rf"(?<![\w-])(?:pre-shared-key|shared-key)\s+{NOT_KW}(?!(?:address|hostname)\b){VH}"),
    _r("radius scheme key", REVERSIBLE, rf"(?<![\w-])key\s+(?:authentication|accounting|authorization)\s+{NOT_KW}{VH}"),
    _r("pin verify", REVERSIBLE, rf"\bpin\s+verify(?:\s+auto)?\s+{VH}"),
    _r("wlan pass-phrase", REVERSIBLE, rf"\bpass-phrase\s+{NOT_KW}{VH}"),
    _r("comware $c$ cipher", REVERSIBLE, r"(?<!\S)(\$c\$\d+\$\S+)"),
    _r("comware $h$ hash", HASH, r"(?<!\S)(\$h\$\d+\$\S+)"),
    _r("vrp $1a$ hash", HASH, r"(?<!\S)(\$1[a-d]\$\S+)"),
    _r("%^%# wrapper", HASH, r"(%\^%#.*?%\^%#)"),
    _r("%@%@ wrapper", HASH, r"(%@%@.*?%@%@)"),
    _r("%$%$ wrapper", HASH, r"(%\$%\$.*?%\$%\$)"),
]

JUNOS = [
    _r("$9$ secret", REVERSIBLE, r'(?<![\w$])(\$9\$[^\s;"]+)'),
    _r("$1$/$5$/$6$ hash", HASH, r'(?<![\w$])(\$[156]\$[^\s;"]+)'),
    _r("encrypted-password", HASH, rf"\bencrypted-password\s+{VJ}"),
    _r("authentication-key", REVERSIBLE, rf"\bauthentication-key\s+(?!\d+\s+type\b){VJ}"),
    _r("ntp key value", REVERSIBLE, rf"\bauthentication-key\s+\d+\s+type\s+\S+\s+value\s+{VJ}", needs="value"),
    _r("$8$ secret", REVERSIBLE, r'(?<![\w$])(\$8\$[^\s;"]+)', needs="$8$"),
    _r("md5 key", REVERSIBLE, rf"\bmd5\s+\d+\s+key\s+{VJ}", needs="md5"),
    _r("simple-password", REVERSIBLE, rf"\bsimple-password\s+{VJ}", needs="simple-password"),
    _r("secret", REVERSIBLE, r'(?<![\w-])secret\s+("[^"]*"|\$9\$[^\s;"]+)'),
    # set form: `set system tacplus-server 10.1.1.1 secret KEY` (tree form is quoted, above).
    _r("secret (set)", REVERSIBLE, rf"^\s*set\s.*?(?<![\w-])secret\s+{VJ}", needs="secret"),
    _r("pre-shared-key", REVERSIBLE, rf"\bpre-shared-key\s+(?:ascii-text|hexadecimal)\s+{VJ}"),
    _r("snmpv3 password", REVERSIBLE, rf"\b(?:authentication|privacy)-password\s+{VJ}"),
    _r("snmp community (tree)", REVERSIBLE, r'^\s*community\s+("[^"]*"|[^\s;{"]+)\s*[;{]', within=r"^(?:inactive:\s*)?snmp$"),
    _r("snmp community (set)", REVERSIBLE, rf"^\s*set\s+snmp\s+community\s+{VJ}"),
    _r("## SECRET-DATA", HASH, rf"(?<!\S){VJ}\s*;\s*## SECRET-DATA", needs="## SECRET-DATA"),
]

RULES: dict[str, list[SecretRule]] = {
    "cisco_ios": COMMON + CISCO,
    "cisco_nxos": COMMON + CISCO,
    "arista_eos": COMMON + CISCO,
    "ruijie_os": COMMON + CISCO,
    "huawei_vrp": COMMON + HUAWEI,
    "hp_comware": COMMON + HUAWEI,
    "juniper_junos": COMMON + JUNOS,
}


def _rules_for(platform: str) -> list[SecretRule]:
    try:
        return RULES[platform]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise UsageError(f"no secret rules for platform '{platform}' (known: {known})") from None


# A diff line (job evidence such as `show archive config differences`, `show running-config diff(s)`,
# Comware `display diff`, Junos `show system rollback N compare M`): the `+`/`-` before the config
# text, at column 0 or after the indentation, would hide it from every anchored rule.
_DIFF_MARK = re.compile(r"^(\s*)[+-](?![+-])")


# A log line quoting a typed config command (job evidence of `show logging` / `display logbuffer`):
# IOS `%PARSER-5-CFGLOG_LOGGEDCMD: ... logged command:CMD`, VRP CMDRECORD `Command="CMD"`, Comware
# SHELL_CMD `Command is CMD`, Junos UI_CMDLINE_READ_LINE `command 'CMD'`: CMD is judged as a config line.
_LOGGED_COMMAND = re.compile(r"(?:logged command:|\bCommand=\"|\bCommand is |\bcommand ')\s*", re.IGNORECASE)


def _scrub_line(line: str, rules: list[SecretRule], level: SecretLevel, found: list[str], path: str) -> str:
    if "command" in line.lower() and (logged := _LOGGED_COMMAND.search(line)):
        return line[: logged.end()] + _scrub_config_line(line[logged.end():], rules, level, found, "")
    mark = _DIFF_MARK.match(line)
    if mark:
        indent = mark.group(1)
        inner = _scrub_config_line(indent + line[mark.end():], rules, level, found, path)
        return inner[: len(indent)] + line[len(indent)] + inner[len(indent):]
    return _scrub_config_line(line, rules, level, found, path)


def _scrub_config_line(line: str, rules: list[SecretRule], level: SecretLevel, found: list[str], path: str) -> str:
    if _FREE_TEXT.match(line):
        return line
    low = line.lower()
    for rule in rules:
        if rule.needs is not None and rule.needs not in low:
            continue
        if rule.unless is not None and rule.unless.search(line):
            continue
        if rule.within is not None and not rule.within.match(path):
            continue
        if rule.pattern.search(line):  # most lines hold no secret: search is far cheaper than sub
            line = rule.pattern.sub(_replacer(rule, level, found), line)
    return line


def _replacer(rule: SecretRule, level: SecretLevel, found: list[str]) -> Callable[[re.Match[str]], str]:
    named = set(rule.pattern.groupindex.values())

    def replace(m: re.Match[str]) -> str:
        if level == SecretLevel.REVERSIBLE and rule.level_of(m) == SecretLevel.ALL:
            return m.group(0)
        text, start = m.group(0), m.start()
        # Rebuild right to left so earlier spans keep their offsets.
        for idx in sorted(set(range(1, rule.pattern.groups + 1)) - named, reverse=True):
            value = m.group(idx)
            if value is None or _ALREADY_REDACTED.match(value) or value == PLACEHOLDER:
                continue
            quoted = len(value) >= 2 and value[0] == value[-1] == '"'
            inner = value[1:-1] if quoted else value
            if not inner:
                continue
            found.append(inner)
            new = f'"{PLACEHOLDER}"' if quoted else PLACEHOLDER
            a, b = m.start(idx) - start, m.end(idx) - start
            text = text[:a] + new + text[b:]
        return text

    return replace


# A PEM private key spans lines (Junos `security certificates local NAME "-----BEGIN RSA PRIVATE
# KEY-----` ... `"; ## SECRET-DATA`, a key pasted into any config), which no one-line rule sees:
# from BEGIN to END every line's key material is removed, at every level but none (it is plain text).
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----")


def _redact(material: str, found: list[str]) -> str:
    """`material` (key text between markers, with its surrounding spaces) as `<removed>`."""
    core = material.strip()
    if not core:
        return material
    found.append(core)
    lead = material[: len(material) - len(material.lstrip())]
    return lead + PLACEHOLDER + material[len(material.rstrip()):]


def _pem_line(line: str, in_key: bool, found: list[str]) -> tuple[str, bool, bool]:
    """(line with key material removed, inside a key after it, whether the line held key material)."""
    if in_key:
        end = _PEM_END.search(line)
        if end is None:
            return _redact(line, found), True, True
        return _redact(line[: end.start()], found) + line[end.start():], False, True
    begin = _PEM_BEGIN.search(line)
    if begin is None:
        return line, False, False
    rest = line[begin.end():]
    end = _PEM_END.search(rest)
    if end is None:
        return line[: begin.end()] + _redact(rest, found), True, True
    # One line (a quoted string with "\n" escapes): only what lies between the markers.
    return line[: begin.end()] + _redact(rest[: end.start()], found) + rest[end.start():], False, True


def _run(config: str, platform: str, level: SecretLevel, found: list[str]) -> str:
    rules = _rules_for(platform)
    track = any(rule.within is not None for rule in rules)
    blocks: list[str] = []  # enclosing `name {` headers, outermost first
    out = []
    in_key = False
    # Split on "\n" only (not str.splitlines) so "\r" and form feeds stay exactly where they were.
    for line in config.split("\n"):
        line, in_key, keyed = _pem_line(line, in_key, found) if in_key or "PRIVATE KEY" in line else (line, False, False)
        out.append(line if keyed else _scrub_line(line, rules, level, found, " / ".join(blocks)))
        if track:
            _follow_braces(line, blocks)
    return "\n".join(out)


_JUNOS_EDIT = re.compile(r"^\[edit(?:\s+(.*?))?\]\s*$")


def _follow_braces(line: str, blocks: list[str]) -> None:
    edit = _JUNOS_EDIT.match(line)
    if edit:  # a compare/diff hunk header names the hierarchy its `+`/`-` lines belong to
        blocks[:] = [edit.group(1)] if edit.group(1) else []
        return
    mark = _DIFF_MARK.match(line)
    code = (line[: mark.end() - 1] + line[mark.end():] if mark else line).split("##", 1)[0].strip()
    if code.endswith("{"):
        blocks.append(code[:-1].strip())
    elif code.startswith("}") and blocks:
        blocks.pop()


def sanitize(config: str, platform: str, level: SecretLevel | str = SecretLevel.ALL) -> str:
    """Return `config` with the secrets of `level` replaced by `<removed>`; lines are kept 1:1."""
    level = SecretLevel(level)
    if level == SecretLevel.NONE:
        _rules_for(platform)  # an unknown platform is still an error, whatever the level
        return config
    return _run(config, platform, level, [])


def find_secrets(config: str, platform: str, level: SecretLevel | str = SecretLevel.ALL) -> list[str]:
    """The secret values `sanitize(config, platform, level)` would remove, in order, de-duplicated."""
    level = SecretLevel(level)
    found: list[str] = []
    if level != SecretLevel.NONE:
        _run(config, platform, level, found)
    return list(dict.fromkeys(found))

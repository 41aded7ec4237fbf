"""Compares the settings the local stack generates with the production files.

Run by scripts/check-settings, which renders the local stack's configs (odoo.conf,
Caddy JSON, redis.conf) with the very functions scripts/stack and scripts/setup use,
into a directory given here. Prints one line per disagreement; exit 1 when any.
"""

import configparser
import json
import re
import sys
from pathlib import Path

import yaml


def odoo_options(path):
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
    parser.read(path)
    return dict(parser["options"])


def compose_service(compose, name):
    return compose["services"][name]


def check_odoo(rendered, root, shared, problems):
    local = odoo_options(rendered / "odoo-master.conf")
    prod = odoo_options(root / "odoo.conf")
    for line in shared:
        key, value = (part.strip() for part in line.split("=", 1))
        for where, options in (("stack", local), ("odoo.conf", prod)):
            if options.get(key) != value:
                problems.append(
                    f"odoo: {where} has {key} = {options.get(key)!r}, shared {value!r}"
                )
    for where, options in (("stack", local), ("odoo.conf", prod)):
        want = f"^{options.get('db_name')}$"
        if options.get("dbfilter") != want:
            problems.append(
                f"odoo: {where} dbfilter {options.get('dbfilter')!r} is not {want!r}"
            )
    return prod


def check_redis(rendered, compose, shared, problems):
    local = {}
    for line in (rendered / "redis.conf").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            local[key] = value
    command = compose_service(compose, "redis").get("command", [])
    prod = {
        command[i][2:]: command[i + 1]
        for i in range(len(command) - 1)
        if command[i].startswith("--")
    }
    for line in shared:
        key, value = line.split(" ", 1)
        for where, options in (("setup's redis.conf", local), ("compose", prod)):
            if options.get(key) != value:
                problems.append(
                    f"redis: {where} has {key} {options.get(key)!r}, shared {value!r}"
                )


def check_postgres(compose, shared, problems):
    command = compose_service(compose, "postgres").get("command", [])
    prod = dict(
        command[i + 1].split("=", 1)
        for i in range(len(command) - 1)
        if command[i] == "-c" and "=" in command[i + 1]
    )
    for line in shared:
        key, value = (part.strip() for part in line.split("=", 1))
        if prod.get(key) != value:
            problems.append(
                f"postgres: compose has {key}={prod.get(key)!r}, shared {value!r}"
            )


def check_caddy(rendered, root, compose, odoo, expect, problems):
    local = json.loads((rendered / "caddy.json").read_text())
    admin_host = local["admin"]["listen"].rsplit(":", 1)[0]
    if admin_host != expect["admin_host"]:
        problems.append(f"caddy: the stack's admin listens on {admin_host}")
    route = local["apps"]["http"]["servers"]["saas"]["routes"][-1]["handle"][0]
    if (route["status_code"], route["body"]) != (expect["status"], expect["body"]):
        problems.append(f"caddy: the stack's catch-all answers {route!r}")

    text = (root / "Caddyfile").read_text()
    admin = re.search(r"^\s*admin\s+(\S+)", text, re.M)
    if not admin or admin.group(1).rsplit(":", 1)[0] != expect["admin_host"]:
        problems.append(
            f"caddy: Caddyfile admin is {admin and admin.group(1)!r}, "
            f"not on {expect['admin_host']}"
        )
    want = f'respond "{expect["body"]}" {expect["status"]}'
    if want not in text:
        problems.append(f"caddy: Caddyfile has no catch-all `{want}`")
    bridge_env = compose_service(compose, "bridge").get("environment", {})
    if admin and bridge_env.get("CADDY_ADMIN_URL") != f"http://{admin.group(1)}":
        problems.append(
            f"caddy: compose's bridge uses CADDY_ADMIN_URL="
            f"{bridge_env.get('CADDY_ADMIN_URL')!r}, the Caddyfile's admin is "
            f"{admin.group(1)}"
        )
    # the master behind Caddy, on the ports odoo.conf gives it
    proxied = re.findall(r"reverse_proxy\s+(?:/\S+\s+)?127\.0\.0\.1:(\d+)", text)
    wanted = {odoo.get("http_port"), odoo.get("gevent_port")}
    if set(proxied) != wanted:
        problems.append(
            f"caddy: Caddyfile proxies to ports {sorted(proxied)}, "
            f"odoo.conf listens on {sorted(wanted)}"
        )
    health = " ".join(compose_service(compose, "master")["healthcheck"]["test"])
    if f"127.0.0.1:{odoo.get('http_port')}/" not in health:
        problems.append(f"compose: master's healthcheck `{health}` misses http_port")


def check_hba(root, problems):
    # one function writes the tenant rules for both; a hand-written copy would drift
    for name in ("scripts/setup", "scripts/postgres-initdb"):
        text = (root / name).read_text()
        if "pg_hba_tenant_rules" not in text:
            problems.append(f"pg_hba: {name} does not write pg_hba_tenant_rules")
        for line in text.splitlines():
            # setup's one extra: test containers on docker0, to their own database only
            if "172.17.0.0/16" in line:
                continue
            if re.search(r"\bhost\s+(postgres|sameuser)\s", line):
                problems.append(
                    f"pg_hba: {name} writes its own tenant rule: {line.strip()}"
                )


def main():
    rendered, root = Path(sys.argv[1]), Path(sys.argv[2])
    shared = json.loads((rendered / "shared.json").read_text())
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    problems = []
    odoo = check_odoo(rendered, root, shared["odoo"], problems)
    check_redis(rendered, compose, shared["redis"], problems)
    check_postgres(compose, shared.get("postgres", []), problems)
    check_caddy(rendered, root, compose, odoo, shared["caddy"], problems)
    check_hba(root, problems)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

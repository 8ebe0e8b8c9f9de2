"""Database servers a project's tests may need, read from the compose files the project keeps.

The test stage runs the tests inside `docker build`, where no database answers. A project whose
own compose file starts one (in its folder, or a folder above it up to its git repository's
root, where a monorepo keeps it) runs its tests against that server, as its CI does; in a build
they fail, so such a project gets no test stage unless the user asks for one.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from scaffold.detect._common import Detection, repository_folders, text_of

COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

#: Images of database servers, by the last part of their name: `postgres:18`,
#: `docker.io/library/mysql:8.4`, `mcr.microsoft.com/mssql/server:2022-latest`, or the default
#: of a variable (`${DB_IMAGE:-postgis/postgis:17-3.5}`). Caches and brokers (redis, rabbitmq)
#: are left out: tests mostly stand in for those.
_DATABASE = re.compile(
    r"(?:^|[/-])(postgres|postgresql|postgis|timescaledb|mysql|mariadb|percona-server|mongo|"
    r"mongodb-community-server|mssql/server|cockroach|cassandra|scylla|clickhouse-server|"
    r"couchdb|neo4j|elasticsearch|opensearch|surrealdb)(?=[:@}]|$)"
)


def read(root: Path, found: Detection) -> None:
    """Answer dev_test_prod no, with why, when a compose file of the project starts a database."""
    if found.answers.get("dev_test_prod") is not True:
        return
    servers = database_servers(root)
    if not servers:
        return
    found.answers["dev_test_prod"] = False
    found.sources["dev_test_prod"] = f"{servers[0]}: tests that need it cannot run in a build"
    found.warnings.append(
        f"no dev and test targets: {servers[0]} starts a database the tests may need, and "
        "`docker build` has none; pass --data dev_test_prod=yes if they need no server"
    )


def database_servers(root: Path) -> list[str]:
    """Each database server ROOT's compose files start: "../compose.yml's db (postgres:18)"."""
    servers = []
    root = root.resolve()
    for folder in repository_folders(root):
        for name in COMPOSE_FILES:
            try:
                data = yaml.safe_load(text_of(folder / name))
            except yaml.YAMLError:
                continue
            services = data.get("services") if isinstance(data, dict) else None
            for service, spec in (services if isinstance(services, dict) else {}).items():
                image = spec.get("image") if isinstance(spec, dict) else None
                if isinstance(image, str) and _DATABASE.search(image.lower()):
                    where = Path(*[".."] * len(root.relative_to(folder).parts), name)
                    servers.append(f"{where.as_posix()}'s {service} ({image})")
    return servers

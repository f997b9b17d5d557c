# pgshape as a container image: the Debian package (scripts/package.sh) on
# Debian 12 with PostgreSQL 15's server binaries, so the embedded, throwaway
# server works too when neither --dsn nor DATABASE_URL is given.
#
#   docker build -t pgshape:0.1.0 .
#   docker run --rm pgshape:0.1.0 explain /usr/share/pgshape/profiles/shop.yaml
#   docker run --rm -e DATABASE_URL=postgresql://... pgshape:0.1.0 load /usr/share/pgshape/profiles/shop.yaml
#
# The tag is the project version (CMakeLists.txt); examples/ and
# docker-compose.yml name the same image.

FROM debian:12 AS build
# scripts/setup.sh's RUN_PACKAGES without the server; dpkg-dev (in
# build-essential) for the package's Depends (dpkg-shlibdeps).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libpqxx-dev libpq-dev libboost-random-dev \
      libyaml-cpp-dev libcli11-dev libfmt-dev nlohmann-json3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN PGSHAPE_BUILD_DIR=/build bash scripts/package.sh && mkdir /deb && cp /build/pgshape_*.deb /deb/

FROM debian:12
COPY --from=build /deb/ /tmp/deb/
# No cluster on install (pgshape starts its own servers); dpkg keeps that file
# rather than asking about it.
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef \
      /tmp/deb/pgshape_*.deb postgresql-15 postgresql-15-hypopg \
 && rm -rf /var/lib/apt/lists/* /tmp/deb \
 && useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin pgshape
# Numeric, so Kubernetes' runAsNonRoot can verify it. PostgreSQL refuses to
# run as root; the embedded server runs as this user in a private directory.
USER 10001:10001
WORKDIR /home/pgshape
ENTRYPOINT ["pgshape"]
CMD ["help"]

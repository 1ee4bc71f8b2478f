# Two stages: build the release binary, then run it as an unprivileged user on a slim image.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data unitcell \
 && mkdir -p /data /etc/unitcell \
 && chown unitcell /data
COPY --from=build /src/target/release/unitcell /usr/local/bin/unitcell
COPY config /etc/unitcell
USER unitcell
VOLUME ["/data"]
EXPOSE 8000
ENV UNITCELL__SERVER__LISTEN=0.0.0.0:8000 \
    UNITCELL__STORAGE__DATA_DIR=/data
ENTRYPOINT ["unitcell", "--config-dir", "/etc/unitcell"]
CMD ["serve"]

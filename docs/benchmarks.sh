#!/usr/bin/env bash
# Reproduces every figure in docs/benchmarks.md with ./socklab alone: starts socklab's servers on
# loopback, measures them with ./socklab bench, and writes each table to docs/benchmarks/NAME.txt
# (CSV beside it) and each chart to docs/img/NAME.png.
#
#   docs/benchmarks.sh [SECTION...]     sections: echo chat unix udp nagle start (default: all)
#
# It takes about 6 minutes on 2 cores. Close what else runs: the figures are only as quiet as
# the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

sections=("$@")
((${#sections[@]})) || sections=(echo chat unix udp nagle start)

work=$(mktemp -d)
pids=()
cleanup() {
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME COMMAND...: runs a server (asked for port 0: the kernel picks a free one) in the
# background until this script ends, waits (at most 60 s) for its banner, and sets pid_NAME and
# port_NAME (the TCP port of uds-server's --tcp).
start() {
  local name=$1 port
  shift
  "$@" --quiet >"$work/$name.log" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" %s $!
  for _ in $(seq 600); do
    port=$(sed -nE 's/.*TCP on 127\.0\.0\.1:([0-9]+).*/\1/p; s/.* listening on [^ ]*:([0-9]+) .*/\1/p' \
      "$work/$name.log" | head -n 1)
    if [[ -n $port ]]; then
      printf -v "port_$name" %s "$port"
      return 0
    fi
    sleep 0.1
  done
  echo "benchmarks: $name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

# Stops every server started so far.
stop_all() {
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null || true
  pids=()
}

# run NAME ARGS...: ./socklab bench ARGS, its table kept in docs/benchmarks/NAME.txt with the
# command and the machine on top.
run() {
  local name=$1
  shift
  local file=docs/benchmarks/$name.txt
  local a line="\$ ./socklab bench"
  # Quoted where a word holds spaces (bench start's commands), so that the line can be pasted.
  for a in "$@"; do
    if [[ $a == *" "* ]]; then line+=" ${a%%=*}='${a#*=}'"; else line+=" $a"; fi
  done
  {
    echo "$line" | sed "s|$work|/tmp/socklab-bench|g"
    echo "# $(date -u +%F), $(nproc) cores, Linux $(uname -r), $(./socklab bench --version | tail -n 1)"
  } >"$file"
  # A target that fails (pool=8 cannot serve more clients than threads) is a finding, not the
  # end of the script: its row says why.
  local quiet=(--no-progress)
  [[ $1 != start ]] || quiet=() # bench start draws no progress bar
  ./socklab bench "$@" "${quiet[@]}" 2>&1 | tee -a "$file" || true
}

./socklab build >/dev/null
lo=(--bind 127.0.0.1 --port 0) # loopback only, a port the kernel picks

for section in "${sections[@]}"; do
  case $section in
    echo)
      # Thread per client (virtual, platform, a pool of 8) against one event loop (uds-server's
      # Netty echo, over TCP and over a UNIX socket), from 1 to 10,000 connections.
      start virtual ./socklab echo-server "${lo[@]}" --threads virtual --backlog 4096
      start platform ./socklab echo-server "${lo[@]}" --threads platform --backlog 4096
      start pool ./socklab echo-server "${lo[@]}" --threads pool=8 --backlog 4096
      start uds ./socklab uds-server --path "$work/echo.sock" --tcp 0
      run echo-conns echo virtual=127.0.0.1:"$port_virtual" platform=127.0.0.1:"$port_platform" \
        pool8=127.0.0.1:"$port_pool" netty-tcp=127.0.0.1:"$port_uds" \
        netty-unix=unix:"$work/echo.sock" \
        --sweep conns=1,10,100,1000,10000 --duration 3s --warmup 1s --timeout 2s \
        --server-pid virtual="$pid_virtual" --server-pid platform="$pid_platform" \
        --server-pid pool8="$pid_pool" --server-pid netty-tcp="$pid_uds" \
        --server-pid netty-unix="$pid_uds" \
        --csv docs/benchmarks/echo-conns.csv --chart docs/img/echo-conns.png
      stop_all
      ;;
    chat)
      start selector ./socklab chat-server "${lo[@]}" --engine selector
      start netty ./socklab chat-server "${lo[@]}" --engine netty
      targets=(selector=127.0.0.1:"$port_selector" netty=127.0.0.1:"$port_netty")
      if command -v ncat >/dev/null; then
        # ncat cannot be asked for port 0 and say which it got: try a few random high ports.
        for _ in 1 2 3 4 5; do
          c=$((20000 + RANDOM % 20000))
          ncat --broker --chat --max-conns 1000 --listen 127.0.0.1 "$c" >"$work/ncat.log" 2>&1 &
          pids+=($!)
          sleep 0.5
          if kill -0 "${pids[-1]}" 2>/dev/null; then
            targets+=(ncat=127.0.0.1:"$c")
            break
          fi
        done
      fi
      run chat chat "${targets[@]}" --sweep clients=20,200 --duration 3s --warmup 1s \
        --server-pid selector="$pid_selector" --server-pid netty="$pid_netty" \
        --csv docs/benchmarks/chat.csv --chart docs/img/chat.png
      stop_all
      ;;
    unix)
      start uds ./socklab uds-server --path "$work/echo.sock" --tcp 0
      run unix-vs-tcp echo tcp=127.0.0.1:"$port_uds" unix=unix:"$work/echo.sock" \
        --sweep size=64,1024,16384,65536 --conns 10 --duration 3s --warmup 1s \
        --csv docs/benchmarks/unix-vs-tcp.csv --chart docs/img/unix-vs-tcp.png
      stop_all
      ;;
    udp)
      start udp ./socklab udp-broadcast "${lo[@]}"
      run udp udp 127.0.0.1:"$port_udp" --sweep window=1,16,64 --duration 3s --warmup 1s \
        --server-pid "$pid_udp" --csv docs/benchmarks/udp.csv --chart docs/img/udp.png
      stop_all
      ;;
    nagle)
      # Each message in two write(2)s, against a server with Nagle on (the delayed-ACK stall) and,
      # as the reference in the same run, the same server with TCP_NODELAY (its default).
      start nagle ./socklab echo-server "${lo[@]}" --no-nodelay
      start nodelay ./socklab echo-server "${lo[@]}"
      for client in --nodelay --no-nodelay; do
        run "nagle${client#-}" echo server-nodelay=127.0.0.1:"$port_nodelay" \
          server-nagle=127.0.0.1:"$port_nagle" --split-writes 2 "$client" \
          --conns 1 --duration 3s --warmup 1s
      done
      stop_all
      ;;
    start)
      # exec(2) to the listening banner through ./socklab, as a user starts each server; and
      # echo-server without its class-data archive, to show what the archive saves.
      run start start echo="./socklab echo-server ${lo[*]}" \
        chat-selector="./socklab chat-server ${lo[*]}" \
        chat-netty="./socklab chat-server ${lo[*]} --engine netty" \
        udp="./socklab udp-broadcast ${lo[*]}" \
        uds="./socklab uds-server --path $work/start.sock" \
        echo-no-cds="SOCKLAB_CDS=off ./socklab echo-server ${lo[*]}" --runs 15
      ;;
    *)
      echo "benchmarks: no section '$section' (echo chat unix udp nagle start)" >&2
      exit 2
      ;;
  esac
done

# Process bookkeeping shared by airflow-up.sh and airflow-down.sh (source it after airflow-env.sh).
# Each started process is a session leader (setsid): its PID is also its process group and session
# id, so stopping it reaches every child, even one that moved to a process group of its own.
# $PIDFILE lines: "<name> <pid> <start time in clock ticks>"; the start time tells a recycled PID
# from ours.
PIDFILE="$AIRFLOW_HOME/newsflow-pids"

proc_start_time() {  # field 22 of /proc/PID/stat (after the parenthesised command name)
  local stat fields
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  read -ra fields <<< "${stat##*) }"
  echo "${fields[19]}"
}

proc_is() {  # proc_is PID START: is PID alive and still the process we started?
  local now
  now="$(proc_start_time "$1")" || return 1
  [ "$now" = "$2" ]
}

session_members() {  # every PID whose session id is $1
  local sid="$1" stat p fields
  for p in /proc/[0-9]*; do
    { read -r stat < "$p/stat"; } 2>/dev/null || continue
    read -ra fields <<< "${stat##*) }"  # state ppid pgrp session ...
    [ "${fields[3]}" = "$sid" ] && echo "${p#/proc/}"
  done
  return 0
}

port_open() {  # is something listening on 127.0.0.1:$1?
  (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_for_port() {  # wait_for_port PORT SECONDS
  local until=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$until" ]; do
    port_open "$1" && return 0
    sleep 0.5
  done
  return 1
}

start() {  # start NAME CMD...: run CMD in a new session, log to $LOGS/NAME.log, record its PID
  local name="$1"; shift
  setsid "$@" > "$LOGS/$name.log" 2>&1 < /dev/null &
  local pid=$! start_time=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    start_time="$(proc_start_time "$pid")" && break
    sleep 0.1
  done
  echo "$name $pid ${start_time:-0}" >> "$PIDFILE"
  echo "[up] $name started (pid $pid, log $LOGS/$name.log)"
}

stop_session() {  # stop_session NAME PID START [GRACE]: TERM the whole session, then KILL what is left
  local name="$1" pid="$2" start="$3" grace="${4:-30}" members
  if proc_start_time "$pid" > /dev/null && ! proc_is "$pid" "$start"; then
    echo "[down] $name: pid $pid now belongs to another process; leaving it alone"
    return 0
  fi
  members="$(session_members "$pid")"
  if [ -z "$members" ]; then
    echo "[down] $name was not running"
    return 0
  fi
  # shellcheck disable=SC2086
  kill -TERM $members 2>/dev/null || true
  local until=$((SECONDS + grace))
  while :; do
    members="$(session_members "$pid")"
    [ -z "$members" ] && { echo "[down] $name stopped"; return 0; }
    [ "$SECONDS" -ge "$until" ] && break
    sleep 0.5
  done
  echo "[down] $name still running after ${grace}s: killing $(echo $members)"
  # shellcheck disable=SC2086
  kill -KILL $members 2>/dev/null || true
  sleep 0.5
  [ -z "$(session_members "$pid")" ]
}

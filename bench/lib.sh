# Shell functions shared by bench/run and bench/interleave (sourced, not run).

# JVM flags of every server they start (Verdict and the bare ceiling alike), as `exec:exec@serve` runs
# Verdict: huge pages where the kernel offers them (docs/benchmarks.md, Huge pages).
server_jvm_flags=(-XX:+UseTransparentHugePages --enable-native-access=ALL-UNNAMED)

java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

find_jdk() { # prints JAVA_HOME if it is a JDK >= 21 with jcmd, else the newest such JDK in /usr/lib/jvm
  local candidate
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV); do
    [[ -n "$candidate" && -x "$candidate/bin/java" && -x "$candidate/bin/jcmd" ]] || continue
    (( $(java_major "$candidate") >= 21 )) && { echo "$candidate"; return; }
  done
  return 1
}

free_port() { # a TCP port free on 127.0.0.1 just now
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

api_key() { # data set folder: the API key Prepare wrote into its org.json
  node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).apiKey)' "$1/org.json"
}

jit_jiffies() { # pid: CPU time (1/100 s) used so far by the JVM's JIT compiler threads; 0 for a server without
  local task total=0
  for task in /proc/"$1"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in
      # utime and stime: fields 14 and 15 of stat, 12 and 13 after the "(comm)" that may hold spaces
      "C1 CompilerThre"* | "C2 CompilerThre"*) total=$((total + $(sed 's/^.*) //' "$task/stat" | awk '{print $12 + $13}'))) ;;
    esac
  done
  echo "$total"
}

idle_facts() { # how an idle core waits here: the cpuidle governor and, under haltpoll, how long it polls first
  local governor poll
  governor="$(cat /sys/devices/system/cpu/cpuidle/current_governor_ro 2>/dev/null || echo unknown)"
  poll="$(cat /sys/module/haltpoll/parameters/guest_halt_poll_ns 2>/dev/null || echo -)"
  echo "cpuidle governor $governor, guest_halt_poll_ns $poll"
}

process_jiffies() { # pid: CPU time (1/100 s) used so far by every thread of the process
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

steal_jiffies() { # core: the time (1/100 s) the hypervisor has given this virtual core's turn to another
  awk -v cpu="cpu$1" '$1 == cpu {print $9}' /proc/stat
}

vm_thread_jiffies() { # pid: CPU time (1/100 s) used so far by the JVM's VM thread (serial GC pauses, safepoints)
  local task
  for task in /proc/"$1"/task/*; do
    [[ "$(cat "$task/comm" 2>/dev/null)" == "VM Thread" ]] && { sed 's/^.*) //' "$task/stat" | awk '{print $12 + $13}'; return; }
  done
  echo 0
}

postgres_jiffies() { # data folder: CPU time (1/100 s) used so far by the embedded Postgres under it (its
  # postmaster, the children it has reaped, e.g. autovacuum workers, and those still running); 0 without one
  local postmaster total child used
  [[ -n "$1" ]] || { echo 0; return; }
  postmaster="$(pgrep -o -f -- "postgres -D $1/" 2>/dev/null)" || { echo 0; return; }
  # fields 14-17 of stat (utime, stime, cutime, cstime) are 12-15 after the "(comm)" that may hold spaces
  total="$(sed 's/^.*) //' "/proc/$postmaster/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')"
  total="${total:-0}"
  for child in $(pgrep -P "$postmaster" 2>/dev/null); do
    used="$(sed 's/^.*) //' "/proc/$child/stat" 2>/dev/null | awk '{print $12 + $13}')"
    total=$((total + ${used:-0}))
  done
  echo "$total"
}

#!/usr/bin/env bash
# Prints the machine a benchmark ran on (sourced by scripts/bench-*.sh), as Markdown.
machine_info() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
    echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- Machine: $(nproc) cores, CPU \`${cpu:-unknown}\`, $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}') memory, $(uname -sr)"
    echo "- Rust: \`$(rustc --version)\`, release profile (thin LTO)"
    echo "- Load average when the tables were written (1, 5, 15 min; other jobs share the machine): $(cut -d' ' -f1-3 /proc/loadavg)"
}

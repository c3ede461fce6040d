# Sourced by scripts/build-wasm.sh and scripts/test-wasm.sh: named steps with their timings.
#   step "name"   ends the previous step (printing its time) and starts the next
#   steps_done    ends the last step and prints a table of every step's time

_step_name=""
_step_start=0
_step_table=()
_steps_start=$SECONDS

_step_end() {
  if [ -n "$_step_name" ]; then
    local took=$((SECONDS - _step_start))
    printf '    (%ss)\n' "$took"
    _step_table+=("$(printf '%5ss  %s' "$took" "$_step_name")")
    _step_name=""
  fi
}

step() {
  _step_end
  _step_name="$*"
  _step_start=$SECONDS
  printf '\n==> %s\n' "$*"
}

steps_done() {
  _step_end
  printf '\n%s timings:\n' "$1"
  printf '  %s\n' "${_step_table[@]}"
  printf '  %5ss  total\n' "$((SECONDS - _steps_start))"
}

#!/usr/bin/env bash
# The mutation pass over the replay, sim/replay*.c (issue #15): does the test suite notice when the replay's
# run-skipping shortcut, soft-delete sweep, retry after a failed run, revival or day closing is
# subtly wrong? Run by hand (not part of `make test`); it takes a few minutes.
#
# Usage: tests/tools/mutate-replay.sh [-a] [-k] [-j N] [MUTANT...]
#   MUTANT...  only these mutants (by name, see the list below); default: all of them
#   -a         run every suite against every mutant (default: stop at the first that kills it)
#   -k         keep the private copy (its path is printed) instead of removing it
#   -j N       make's parallel jobs (default 2)
#
# What it does: copies the committed tree (`git archive HEAD`) into a private directory under
# $TMPDIR, then lays the working tree's differential and snapshot-facts suites over it (their scripts and
# data directories, so an uncommitted change to them can be tried). The repository itself
# is never touched. It builds the copy, checks that the unmutated copy passes the four suites
# below, then for each mutant: restores every sim/replay*.c, applies the mutant (a literal
# replacement of one text that must occur exactly once in all of them together, in whichever file
# holds it; else the mutant is reported as stale), rebuilds, and runs
#   1. tests/test-differential.sh   (the fast replay against the plain one)
#   2. tests/run-cases.sh           (the golden end-to-end cases)
#   3. tests/test-agree.sh          (one number across commands and outputs)
#   4. tests/test-snapshot-facts.sh (facts that change between snapshots)
# against the mutant binary, each under a time limit (300 s; a hang counts as a failure). A mutant is KILLED when a suite fails,
# and SURVIVES when all pass. Mutants marked "equiv" below cannot change any output (the reason
# is written next to each); they are run all the same, and one of them being killed means the
# reason is wrong. The last line is "N mutants: K killed, S survived (E equivalent), X stale";
# the exit status is 0 only when no mutant that is not marked equivalent survived.
set -u
cd "$(dirname "$0")/../.." || exit 1
export TZ=UTC LC_ALL=C
all=0 keep=0 jobs=2
while getopts akj: opt; do
  case $opt in
    a) all=1 ;;
    k) keep=1 ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,13p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

names=() kinds=() olds=() news=() whys=()
# mutant NAME KIND OLD NEW WHY: KIND is "kill" (the suite must notice) or "equiv" (cannot change
# any output, WHY says why); OLD is replaced by NEW in the one file of sim/replay*.c that holds it
mutant() { names+=("$1"); kinds+=("$2"); olds+=("$3"); news+=("$4"); whys+=("$5"); }

# ---- the run-skipping shortcut (replay_skip.c): repo_needs_run, candidates, the time indexes
mutant needs-run-no-failed kill \
  'if (!mm->ran || mm->failed || mm->changes' 'if (!mm->ran || mm->changes' \
  'a repository the last run failed on (or never reached) is skipped when unchanged'
mutant needs-run-no-changes kill \
  '|| mm->changes != s->skip.repo_changes[r]) return true;' ') return true;' \
  'a repository whose state changed since the last run is skipped'
mutant needs-run-no-ran equiv \
  'if (!mm->ran || mm->failed' 'if (mm->failed' \
  'an empty memo has changes 0, and every push bumps its repository, so a repository with anything in it differs from an unused memo anyway; one with nothing has nothing to delete'
mutant needs-run-no-time-mark kill \
  'return s->skip.time_mark[r] == s->skip.stamp;' 'return false;' \
  'an age crossing between the two cutoffs, or a snapshot lastUpdateTime reached since the last run, no longer makes a run'
mutant needs-run-memo-range equiv \
  'if (mm->cutoff_ns != s->skip.cutoff[task] || mm->t_ns != s->skip.t[task]) return true;' '' \
  'an unchanged candidate that is not marked came from the change log, so its last change was this task'"'"'s own last run there: its memo holds that run'"'"'s cutoff and instant, the range this run scanned'
mutant needs-run-no-overridden kill \
  '|| s->reg.repo_overridden[r]) return true;' ') return true;' \
  'a repository with a revived manifest (its own lastUpdateTime) is skipped'
mutant needs-run-no-touch kill \
  'if (s->o->tag_delete_touches_manifest || s->reg.repo_overridden[r])' 'if (s->reg.repo_overridden[r])' \
  'with --tag-delete-updates-manifest, a repository is skipped by the history thresholds'
mutant range-collapses-to-new-cutoff kill \
  'return a < b ? (struct time_range){a, b} : (struct time_range){b, a};' 'return (struct time_range){b, b};' \
  'the range between the cutoffs collapses to the new cutoff'
mutant range-min-max equiv \
  'return a < b ? (struct time_range){a, b} : (struct time_range){b, a};' 'return (struct time_range){a, b};' \
  'a task has one --ago and fires at increasing instants, so its cutoffs never decrease: the first is always the smaller'
mutant memo-cutoff-is-run-time equiv \
  'mm->cutoff_ns = cutoff;' 'mm->cutoff_ns = t;' \
  'with --ago > 0 the memo cutoff no longer matches the task'"'"'s last cutoff, so every candidate runs (only the speed-up is lost)'
mutant memo-not-failed kill \
  'for (size_t v = 0; v < nv; v++) s->skip.memo[task][s->run.view_repo[v]].failed = true;' '' \
  'a failed run is remembered as a success: what it did not reach is skipped'
mutant memo-failed-sticks equiv \
  'mm->failed = false;' '' \
  'once failed, the repository runs at every firing, as the plain replay does: more runs, and a run on an unchanged state with no age crossing deletes nothing'
mutant memo-changes-before-deletions equiv \
  's->skip.memo[task][r].changes = s->skip.repo_changes[r];' 's->skip.memo[task][r].changes = s->skip.repo_changes[r] - 1;' \
  'the memo never matches: every candidate runs (only the speed-up is lost)'
mutant cand-no-change-log kill \
  'for (size_t k = s->skip.log_cursor[task]; k < s->skip.n_log; k++)' 'for (size_t k = s->skip.n_log; k < s->skip.n_log; k++)' \
  'repositories changed since the last run are not candidates'
mutant cand-change-log-skips-first kill \
  'for (size_t k = s->skip.log_cursor[task]; k < s->skip.n_log; k++)' 'for (size_t k = s->skip.log_cursor[task] + 1; k < s->skip.n_log; k++)' \
  'the first repository changed after the last run is not a candidate'
mutant cand-times-hi-exclusive kill \
  'if (e->t < range.lo || e->t > range.hi) continue;' 'if (e->t < range.lo || e->t >= range.hi) continue;' \
  'a time exactly at the new cutoff (or a lastUpdateTime reached exactly at this run) does not make its repository a candidate'
mutant cand-times-lo-exclusive kill \
  'if (e->t < range.lo || e->t > range.hi) continue;' 'if (e->t <= range.lo || e->t > range.hi) continue;' \
  'a time exactly at the previous cutoff does not make its repository a candidate'
mutant cand-updates-now-exclusive kill \
  '(struct time_range){s->skip.t[task], t}' '(struct time_range){s->skip.t[task], t - 1}' \
  'a lastUpdateTime reached exactly at this run does not make its repository a candidate'
mutant cand-updates-last-exclusive equiv \
  '(struct time_range){s->skip.t[task], t}' '(struct time_range){s->skip.t[task] + 1, t}' \
  'a lastUpdateTime reached exactly at the last run made its repository a candidate of that run, which ran it on the state the update left (events at an instant come before its runs); a repository that run failed on or never reached is a candidate anyway'
mutant index-range-skips-first-bucket kill \
  '*from = ix->start[bucket_of(ix, lo)];' '*from = ix->start[bucket_of(ix, lo) + 1];' \
  'the times in the bucket the range starts in are not read'
mutant index-range-skips-last-bucket kill \
  '*to = ix->start[bucket_of(ix, hi) + 1];' '*to = ix->start[bucket_of(ix, hi)];' \
  'the times in the bucket the range ends in are not read'
mutant cand-no-failed kill \
  'if (s->skip.memo[task][r].failed || s->reg.repo_overridden[r]) add_candidate' 'if (s->reg.repo_overridden[r]) add_candidate' \
  'repositories the last run failed on (or never reached) are not candidates'
mutant cand-no-overridden kill \
  'if (s->skip.memo[task][r].failed || s->reg.repo_overridden[r]) add_candidate' 'if (s->skip.memo[task][r].failed) add_candidate' \
  'repositories with a revived manifest are not candidates'
mutant cand-no-touch kill \
  'if (!s->skip.ran[task] || s->o->tag_delete_touches_manifest || s->o->plain) {' 'if (!s->skip.ran[task] || s->o->plain) {' \
  'with --tag-delete-updates-manifest, candidates come from the history thresholds'
mutant cand-task-cutoff-is-run-time kill \
  's->skip.cutoff[task] = cutoff;' 's->skip.cutoff[task] = t;' \
  'with --ago > 0 the candidates range starts at the last run instant'
mutant cursor-not-advanced equiv \
  's->skip.log_cursor[task] = s->skip.n_log;' '' \
  'old change-log entries stay candidates: more candidates, and repo_needs_run still decides each exactly'
mutant log-read-entry-not-repeated kill \
  'if (!s->p->n_tasks || sk->logged[r] > sk->log_read) return;' 'if (!s->p->n_tasks || sk->logged[r] >= sk->log_read) return;' \
  'a repository whose last change-log entry a run has just read is not logged again: its next change is missed'
mutant log-read-never-advanced kill \
  's->skip.log_read = s->skip.n_log;' '' \
  'every repository is logged once only, ever'
mutant present-list-not-merged kill \
  'if (pres[sorted - 1] < pres[sorted]) return n;' 'return n;' \
  'the manifests pushed since the last run are left after the others instead of merged in order'

# ---- the soft-delete sweep (replay_overlay.c) ------------------------------------------------
mutant sweep-strict kill \
  's->bin.v[s->bin.head].sweep_ns <= t) {' 's->bin.v[s->bin.head].sweep_ns < t) {' \
  'an entry due at a midnight is swept a day late'
mutant sweep-due-ceil-strict kill \
  'if (sweep < due) sweep += TIMEU_NS_PER_DAY;' 'if (sweep <= due) sweep += TIMEU_NS_PER_DAY;' \
  'a deletion whose expiry is exactly a midnight waits one more day'
mutant sweep-due-floor kill \
  'if (sweep < due) sweep += TIMEU_NS_PER_DAY;' '' \
  'an entry is swept at the midnight before its expiry'
mutant sweep-days-minus-one kill \
  'int64_t due = t + s->p->soft_delete_days * TIMEU_NS_PER_DAY;' 'int64_t due = t + (s->p->soft_delete_days - 1) * TIMEU_NS_PER_DAY;' \
  'the bin keeps entries a day short'
mutant sweep-ignores-generation kill \
  'if (!s->reg.st[se->id].soft_pending || se->gen != s->reg.soft_gen[se->id]) {' 'if (!s->reg.st[se->id].soft_pending) {' \
  'a manifest deleted, revived and deleted again is swept by its first deletion s entry'
mutant revive-keeps-soft-pending kill \
  '        s->reg.st[id].soft_pending = 0;
        s->bytes.soft -= size;
    } else {' '        s->bytes.soft -= size;
    } else {' \
  'a manifest revived from the bin is still swept (billed bytes counted off twice)'
mutant final-sweep-dropped equiv \
  '    replay_sweep(s, s->o->to_ns);
    close_day(s, day);' '    close_day(s, day);' \
  'the window ends at 23:59:59.999999999 and sweeps happen at midnights: every midnight up to the last day is swept by the day loop, and none lies in the last day'

# ---- retention (replay_overlay.c) -----------------------------------------------------------
mutant retention-enabled-strict kill \
  'if (t < enabled) return;' 'if (t <= enabled) return;' \
  'a manifest untagged exactly when retention is enabled gets no timer'
mutant retention-ignores-tags kill \
  'if (tm.gen == s->reg.st[tm.id].gen && s->reg.st[tm.id].present && !s->reg.st[tm.id].tags_on && del) {' 'if (tm.gen == s->reg.st[tm.id].gen && s->reg.st[tm.id].present && del) {' \
  'a manifest tagged again before its timer is deleted anyway'
# ---- facts that change between snapshots (tests/test-snapshot-facts.sh) ----------------------
mutant touch-never-revives kill \
  'if (!s->o->tag_delete_touches_manifest && s->reg.st[id].gone && e->t_ns > s->reg.gone_at[id])' 'if (0)' \
  'a digest pushed again while it stayed (its lastUpdateTime moved on) does not come back'
mutant manifest-locks-latest kill \
  'history_manifest_locks_at(h, &rp->manifests[pres[k]], id, t, &del, &wr);' 'history_manifest_locks_at(h, &rp->manifests[pres[k]], id, INT64_MAX, &del, &wr);' \
  'a manifest has the latest snapshot'"'"'s locks at every run'
mutant tag-locks-latest kill \
  'history_tag_at(&h->inst[inst], t, &s->run.tag_buf[to + k]);' 'history_tag_at(&h->inst[inst], INT64_MAX, &s->run.tag_buf[to + k]);' \
  'a tag has the latest snapshot'"'"'s locks at every run'
mutant timers-due-unordered kill \
  'while (j > 0 && timer_less(&x, &v[j - 1])) {' 'while (0) {' \
  'retention timers due at one instant are taken in the order they were set, not by manifest'
mutant retention-no-cascade kill \
  '            delete_manifest(s, tm.id, t, RDEL_RETENTION);
            cascade_from(s, tm.id, t);' '            delete_manifest(s, tm.id, t, RDEL_RETENTION);' \
  'referrers of a manifest retention deleted stay'

# ---- revival (replay_overlay.c) -------------------------------------------------------------
mutant revive-tag-at-deletion kill \
  'ti->updated_ns > s->reg.gone_at[id]) revive' 'ti->updated_ns >= s->reg.gone_at[id]) revive' \
  'a tag updated exactly at the deletion revives the manifest'
mutant revive-no-override kill \
  '    s->reg.upd_override[id] = t;
    s->reg.repo_overridden[r] = 1;' '    s->reg.repo_overridden[r] = 1;' \
  'a revived manifest keeps its history lastUpdateTime'
mutant revive-not-overridden kill \
  '    s->reg.upd_override[id] = t;
    s->reg.repo_overridden[r] = 1;' '    s->reg.upd_override[id] = t;' \
  'the shortcut is not told that a revived manifest has its own lastUpdateTime'
mutant override-hides-later-update kill \
  'u == NEVER || (!(s->rb->brief[id] & REPLAY_UPD_UNREADABLE) && nat > u) ? nat : u;' 'u == NEVER ? nat : u;' \
  'a later lastUpdateTime from the snapshots is ignored once the replay set its own'
mutant own-times-unread kill \
  'bool own_times = s->reg.repo_overridden[r] || s->o->tag_delete_touches_manifest;' 'bool own_times = s->o->tag_delete_touches_manifest;' \
  'a revived manifest s own lastUpdateTime is not read in its repository s runs'
mutant push-no-revival kill \
  'if (s->reg.st[id].gone) {
            revive(s, id, e->t_ns);' 'if (0) {
            revive(s, id, e->t_ns);' \
  'a manifest pushed again after this policy deleted it stays deleted'

# ---- the clock (replay.c; the first firing: replay_state.c; tag deletion: replay_overlay.c) ----
mutant close-day-after-sweep kill \
  '            close_day(s, day++);' '            replay_sweep(s, t);
            close_day(s, day++);' \
  'a day is closed after the midnight sweep, so an entry due that midnight is not billed on its last day'
mutant midnight-events-same-day kill \
  'int64_t t_day = day + 1 < s->n_days ? day_end : NEVER;' 'int64_t t_day = day + 1 < s->n_days ? day_end + 1 : NEVER;' \
  'events and runs at exactly midnight count in the day that ends there'
mutant first-run-after-from kill \
  'replay_next_firing(&p->tasks[k], s->o->from_ns - 1);' 'replay_next_firing(&p->tasks[k], s->o->from_ns);' \
  'a run due exactly at the window start does not happen'
mutant run-at-window-end equiv \
  'if (t_run > to) t_run = NEVER;' 'if (t_run >= to) t_run = NEVER;' \
  'the window ends at 23:59:59.999999999 and cron fires on whole minutes: no run is ever due exactly at its end'
mutant pull-at-window-end kill \
  'px->p[s->pull_next].t_ns <= to ?' 'px->p[s->pull_next].t_ns < to ?' \
  'a pull at the window s last instant is not checked'
mutant pulls-after-runs kill \
  '        if (t == nx.t_pull) check_pulls(s, t);
        if (t == nx.t_run) {' '        if (t == nx.t_run) {' \
  'pulls at a run instant are checked after the run (here: never, see the next mutant) '
mutant tag-delete-no-touch kill \
  'if (s->o->tag_delete_touches_manifest) s->reg.upd_override[id] = t;' '' \
  '--tag-delete-updates-manifest no longer makes the manifest young again'
mutant natural-remove-keeps-tags kill \
  '        if (s->h->inst[list[k]].manifest == id - s->h->repo_base[r]) live_remove(s, list[k], t);
    clear_present(s, id);' '    clear_present(s, id);' \
  'a naturally removed manifest keeps its tags live'

# ---- the dense per-manifest copies a run reads (replay_blobs.c, replay.c)
mutant dense-upd-push-time kill \
  'rb->upd_ns[id] = mf->updated_ns;' 'rb->upd_ns[id] = h->push_ns[id];' \
  'a run sees every manifest as last updated when it was pushed'
mutant dense-brief-wrong-base kill \
  's->run.views[v].brief = s->o->plain ? NULL : &s->rb->brief[base];' 's->run.views[v].brief = s->o->plain ? NULL : s->rb->brief;' \
  'the engine reads the first repository'"'"'s listing facts for every repository'

# ---- the storage-only shortcut (replay_overlay.c, replay_state.c): a policy that never deletes
mutant storage-only-no-removals kill \
  'if (e->kind != HEV_PUSH && e->kind != HEV_REMOVE) continue;' 'if (e->kind != HEV_PUSH) continue;' \
  'the baseline no longer sees manifests a later snapshot dropped'
mutant storage-only-with-pulls kill \
  'p->n_tasks == 0 && !p->retention && !o->pulls && !o->plain' 'p->n_tasks == 0 && !p->retention && !o->plain' \
  'the baseline skips tag events though pulls of tags are checked against it'
mutant storage-only-with-retention kill \
  'p->n_tasks == 0 && !p->retention && !o->pulls && !o->plain' 'p->n_tasks == 0 && !o->pulls && !o->plain' \
  'a retention-only policy skips the untags its timers start from'

# ---- choose, copy, build ---------------------------------------------------------------------------
sel=()
if [ $# -gt 0 ]; then
  for want in "$@"; do
    found=0
    for i in "${!names[@]}"; do [ "${names[$i]}" = "$want" ] && { sel+=("$i"); found=1; }; done
    [ $found = 1 ] || { echo "no mutant named $want" >&2; exit 2; }
  done
else
  sel=("${!names[@]}")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mut-XXXXXX")
if [ $keep = 1 ]; then echo "private copy: $work"; else trap 'rm -rf "$work"' EXIT; fi
git archive HEAD | tar -x -C "$work" || { echo "git archive failed" >&2; exit 1; }
rm -rf "$work/tests/differential"
cp -r tests/differential tests/snapshot-facts "$work/tests/" && cp tests/test-differential.sh tests/test-snapshot-facts.sh "$work/tests/" || exit 1
mkdir "$work/orig" && cp "$work"/sim/replay*.c "$work/orig/" || exit 1
restore() { cp "$work"/orig/replay*.c "$work/sim/"; }

build() { make -C "$work" -j"$jobs" B=build BIN=purgesim >"$work/build.log" 2>&1; }
suites=(tests/test-differential.sh tests/run-cases.sh tests/test-agree.sh tests/test-snapshot-facts.sh)
# run_suites: the first suite that fails (all of them with -a), or nothing
run_suites() {
  local s killed=""
  for s in "${suites[@]}"; do
    if ! (cd "$work" && BIN="$work/purgesim" timeout 300 bash "$s" >"$work/suite.log" 2>&1); then
      killed="$killed $(basename "$s" .sh)"
      [ $all = 1 ] || break
    fi
  done
  echo "$killed"
}

echo "building the unmutated copy"
build || { tail -20 "$work/build.log"; echo "the unmutated copy does not build" >&2; exit 1; }
base=$(run_suites)
if [ -n "$base" ]; then
  grep FAIL "$work/suite.log" | head -10
  echo "the unmutated copy fails:$base: fix that first" >&2
  exit 1
fi

n=0 killed=0 survived=0 equiv_survived=0 stale=0 bad=0
for i in "${sel[@]}"; do
  name=${names[$i]} kind=${kinds[$i]}
  n=$((n + 1))
  restore
  # which file holds OLD: it must occur once in all the replay's files together
  if ! file=$(OLD=${olds[$i]} perl -0777 -ne '
      my $c = () = /\Q$ENV{OLD}\E/g; $n += $c; $f = $ARGV if $c;
      END { if ($n != 1) { print $n; exit 3 } print $f }' "$work"/sim/replay*.c); then
    echo "STALE    $name: its text occurs $file times in sim/replay*.c"
    stale=$((stale + 1)); continue
  fi
  OLD=${olds[$i]} NEW=${news[$i]} perl -0777 -i -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/' "$file"
  name="$name ($(basename "$file"))"
  if ! build; then
    echo "BUILD    $name: the mutant does not compile (counted as killed)"
    killed=$((killed + 1)); continue
  fi
  k=$(run_suites)
  if [ -n "$k" ]; then
    killed=$((killed + 1))
    if [ "$kind" = equiv ]; then
      echo "KILLED   $name by$k, though marked equivalent: ${whys[$i]}"; bad=$((bad + 1))
    else echo "killed   $name by$k"; fi
  elif [ "$kind" = equiv ]; then
    survived=$((survived + 1)) equiv_survived=$((equiv_survived + 1))
    echo "equiv    $name: ${whys[$i]}"
  else
    survived=$((survived + 1)) bad=$((bad + 1))
    echo "SURVIVED $name: ${whys[$i]}"
  fi
done
restore
echo "$n mutants: $killed killed, $survived survived ($equiv_survived equivalent), $stale stale"
[ "$bad" -eq 0 ] && [ "$stale" -eq 0 ]

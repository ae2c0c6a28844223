#!/usr/bin/env bash
# Posts a Markdown file as a pull request comment with the GitHub CLI, for
# data/github/purgesim-pr.yml: edits the workflow's last comment on the pull request when there
# is one (gh pr comment --edit-last), else adds one, so each push updates one comment.
#
# usage: post-comment.sh BODY.md PR-NUMBER
#
# Needs GH_TOKEN (the job's github.token with pull-requests: write) and the repository (the
# checked-out tree, or GH_REPO). Exit status: 0 posted, 1 gh failed, 2 bad usage.
set -euo pipefail
if [ $# -ne 2 ] || [ ! -f "$1" ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  sed -n '6p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; exit 2
fi
body=$1 pr=$2
if gh pr comment "$pr" --body-file "$body" --edit-last 2>/dev/null; then
  echo "post-comment: updated the last comment on #$pr" >&2
else
  gh pr comment "$pr" --body-file "$body"
  echo "post-comment: commented on #$pr" >&2
fi

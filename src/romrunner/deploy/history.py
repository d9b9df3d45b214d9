"""Reading deployments back: the history list and one deployment in full."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from romrunner.deploy.card import lock_held
from romrunner.deploy.execute import (
    PRUNE_TOTALS,
    TOTALS_COUNTS,
    DeploymentRecord,
    card_replaced_by,
    card_replaced_words,
    deployment_record,
    deployment_totals,
    every_count,
    replaced_reason,
    stored_options,
    superseded_by,
    superseded_words,
    unrecorded,
)
from romrunner.devices.profiles import load_profile
from romrunner.errors import NotFoundError
from romrunner.store.database import Database

INTERRUPTED = "interrupted"  # shown for a deployment still "started" that no process runs
_COLUMNS = ("id, device_profile_id, deployment_name, destination_path, destination_id, "
            "status, started_at, completed_at, error_message, totals_json")


def _row(db: Database, row: Any, recorded: DeploymentRecord | None = None) -> dict[str, Any]:
    """A history row as shown. A run that ended (completed, failed, cancelled) shows the
    totals its end stored: what its rows said then, and nothing changes them until a resume,
    which ends it again. A run still recorded as started (killed, crashed, or running) has
    none, so its totals are counted from its rows as they are now (``totals_as_of_now``; its
    record, read once, is ``recorded`` when given): rows say copied from just before a
    file's rename, so the last files of a killed run counted copied may not be on the card:
    resume copies those again."""
    data = dict(row)
    totals = data.pop("totals_json", None)
    data["totals_as_of_now"] = data["status"] == "started"
    stored = None if data["totals_as_of_now"] else _stored_totals(totals)
    data["totals"] = deployment_totals(db, int(data["id"]), recorded) if stored is None \
        else stored
    data["resume_hint"] = data["superseded_by"] = data["superseded"] = None
    data["card_replaced"] = None
    if data["status"] == "started" and not lock_held(Path(data["destination_path"])):
        # Recorded as started, but no process holds its card's lock: killed, crashed or
        # unplugged before it could say so.
        data["status"] = INTERRUPTED
    if data["status"] in (INTERRUPTED, "failed", "cancelled"):
        # (QA178 F10: one a later deploy superseded said `deploy resume ID` finishes it)
        later = superseded_by(db, int(data["id"]))
        replaced = card_replaced_by(db, row) if later is None else None
        if replaced is not None:  # (QA186: its hint could never succeed at its folder)
            data["resume_hint"] = f"romrunner deploy resume {data['id']} --to ITS_PATH"
            data["card_replaced"] = card_replaced_words(
                int(data["id"]), str(data["destination_path"]), replaced)
        elif later is None:
            data["resume_hint"] = f"romrunner deploy resume {data['id']}"
        else:
            data["superseded_by"] = later
            data["superseded"] = superseded_words(int(data["id"]), later)
    return data


_COUNTED = frozenset(TOTALS_COUNTS)  # (every key a run's totals ever held: the item statuses,
                                     # files and bytes)


def _stored_totals(text: str | None) -> dict[str, dict[str, int]] | None:
    """The per-platform totals a run's end stored, each count there (an earlier run stored
    only those it counted), None when they are not in this engine's shape: then they are
    counted from its rows (QA114 F4: a v1.0.0 row's totals had no fixed shape, and one such
    row made the whole history an internal error). A platform's counts with a key this engine
    never counts (another writer's "games", "size") are not its shape either: filling in its
    counts at 0 beside them would say the run copied nothing (review50c F5)."""
    if not text:
        return {}
    value = _json_or_none(text)
    if not isinstance(value, dict) or not all(
            isinstance(counts, dict) and counts.keys() <= _COUNTED
            and all(isinstance(n, int) for n in counts.values())
            for counts in value.values()):
        return None
    return {platform: every_count(counts) for platform, counts in value.items()}


def _json_or_none(text: str) -> Any:
    """``text`` parsed, None when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def list_history(db: Database, *, limit: int = 50,
                 profile_id: int | None = None) -> list[dict[str, Any]]:
    """The latest deployments, newest first, with their per-platform totals (of one
    profile: one that never existed nor deployed is an error, not an empty list: QA34 F1)."""
    if profile_id is None:
        rows = db.query(f"SELECT {_COLUMNS} FROM deployment_history ORDER BY id DESC LIMIT ?",
                        (limit,))
    else:
        rows = db.query(f"SELECT {_COLUMNS} FROM deployment_history WHERE "
                        "device_profile_id = ? ORDER BY id DESC LIMIT ?", (profile_id, limit))
        if not rows:
            load_profile(db, profile_id)
    return [_with_file_counts(_row(db, row)) for row in rows]


# Item statuses a deployment's totals count, and their names in a history row's ``files``
# (the history's columns): a conflict (a file of the user's, kept) is not a failure.
_FILE_COUNTS = {"copied": "copied", "skipped": "skipped", "pruned": "pruned",
                "failed": "failed", "conflict": "conflicts"}


def _with_file_counts(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with ``files``: its files copied, skipped, pruned, failed and in conflict
    over every platform of its totals. The files a prune kept are no skipped copies (the
    run's own summary counts them apart, as notes: QA102 F2, 5 skipped there, 7 here)."""
    totals = data["totals"]
    data["files"] = {name: sum(int(counts.get(status, 0)) for platform, counts in totals.items()
                               if status != "skipped" or platform != PRUNE_TOTALS)
                     for status, name in _FILE_COUNTS.items()}
    return data


def deployment_files(db: Database, deployment_id: int) -> dict[str, int]:
    """A deployment's files copied, skipped, pruned, failed and in conflict, over all its
    runs (as ``deploy history`` counts them)."""
    row = db.query_one(f"SELECT {_COLUMNS} FROM deployment_history WHERE id = ?",
                       (deployment_id,))
    if row is None:
        raise NotFoundError(f"deployment {deployment_id} does not exist")
    return dict(_with_file_counts(_row(db, row))["files"])


def show_deployment(db: Database, deployment_id: int, *,
                    item_limit: int = 200) -> dict[str, Any]:
    """One deployment: its row, counts by status, and the files that did not go as planned
    (failed, conflicting, kept) up to ``item_limit``, and every file its prune removed."""
    row = db.query_one(f"SELECT {_COLUMNS}, options_json FROM deployment_history WHERE id = ?",
                       (deployment_id,))
    if row is None:
        raise NotFoundError(f"deployment {deployment_id} does not exist")
    # Its record (every item of its plan: megabytes for a large one) is read once, and only
    # when it has items without a row: a run not ended, or one whose totals count some pending.
    recorded = deployment_record(db, deployment_id) if row["status"] == "started" else None
    data = _row(db, row, recorded)
    options = data.pop("options_json", None)
    data["options"] = stored_options(options)
    data["profile"] = _profile_named(db, row["device_profile_id"])
    counts = db.query("SELECT action, status, count(*) AS files, coalesce(sum(file_size), 0) "
                      "AS bytes FROM deployment_items WHERE deployment_id = ? "
                      "GROUP BY action, status ORDER BY action, status", (deployment_id,))
    pending = any(int(platform.get("pending", 0)) for platform in data["totals"].values())
    counted = _with_pending([dict(count) for count in counts], unrecorded(
        db, deployment_id, recorded) if recorded is not None or pending else [])
    data["counts"] = _with_unchanged(counted, _unchanged(data["totals"], counted))
    # (a file its prune found gone, the run it resumes having removed it, is among the
    # "pruned", said once: review51g F3)
    problems = db.query("SELECT seq, kind, action, dest_path, source_path, status, error "
                        "FROM deployment_items WHERE deployment_id = ? AND error IS NOT NULL "
                        "AND status NOT IN ('copied', 'pruned') ORDER BY seq LIMIT ?",
                        (deployment_id, item_limit))
    data["problems"] = [dict(problem) for problem in problems]
    # Files not ours it replaced (--overwrite): a copied file's row says so in its error.
    replaced = db.query("SELECT dest_path, error FROM deployment_items WHERE deployment_id = ? "
                        "AND status = 'copied' AND error IS NOT NULL ORDER BY seq LIMIT ?",
                        (deployment_id, item_limit))
    data["replaced"] = [{"path": row[0], "reason": replaced_reason(row[1])} for row in replaced
                        if replaced_reason(row[1])]
    # The files its prune removed from the card (QA145 F2: "where did that game go?").
    # (every one: the text shows the first item_limit, review 149 F5)
    data["pruned"] = [str(row[0]) for row in db.query(
        "SELECT dest_path FROM deployment_items WHERE deployment_id = ? AND status = 'pruned' "
        "ORDER BY seq", (deployment_id,))]
    return data


def _profile_named(db: Database, profile_id: int | None) -> dict[str, Any] | None:
    """The profile a deployment ran with, by id and name (None: it was deleted since)."""
    if profile_id is None:
        return None
    try:
        profile = load_profile(db, int(profile_id))
    except NotFoundError:
        return None
    return {"id": profile.id, "name": profile.name, "os_id": profile.os_id}


def _unchanged(totals: dict[str, dict[str, int]], counts: list[dict[str, Any]]
               ) -> tuple[int, int]:
    """The files (and bytes) the deployment found on the card as it wrote them before,
    counted in bulk, without a row each: what its totals count beyond the rows (and the
    pending items) of its copies (its record, megabytes for a large plan, is not read)."""
    files = sum(entry.get("files", 0) for platform, entry in totals.items()
                if platform != PRUNE_TOTALS)
    size = sum(entry.get("bytes", 0) for platform, entry in totals.items()
               if platform != PRUNE_TOTALS)
    copies = [count for count in counts if count["action"] == "copy"]
    return (max(0, files - sum(count["files"] for count in copies)),
            max(0, size - sum(count["bytes"] for count in copies)))


def _with_unchanged(counts: list[dict[str, Any]], unchanged: tuple[int, int]
                    ) -> list[dict[str, Any]]:
    """Counts by action and status with the files found unchanged counted as skipped copies
    (QA43 F5: a re-sync that skipped every file showed no count at all, beside totals that
    said how many it skipped)."""
    files, size = unchanged
    if not files:
        return counts
    for count in counts:
        if (count["action"], count["status"]) == ("copy", "skipped"):
            count["files"] += files
            count["bytes"] += size
            return counts
    counts.append({"action": "copy", "status": "skipped", "files": files, "bytes": size})
    return sorted(counts, key=lambda count: (count["action"], count["status"]))


def _with_pending(counts: list[dict[str, Any]], pending: list[Any]) -> list[dict[str, Any]]:
    """Counts by action and status, with the items that have no row yet counted as pending."""
    extra: dict[str, list[int]] = {}
    for item in pending:
        entry = extra.setdefault(item.action, [0, 0])
        entry[0] += 1
        entry[1] += item.size
    for count in counts:
        if count["status"] == "pending" and count["action"] in extra:
            files, size = extra.pop(count["action"])
            count["files"] += files
            count["bytes"] += size
    counts += [{"action": action, "status": "pending", "files": files, "bytes": size}
               for action, (files, size) in extra.items()]
    return sorted(counts, key=lambda count: (count["action"], count["status"]))

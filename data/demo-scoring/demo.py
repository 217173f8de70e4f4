#!/usr/bin/env python3
"""The scoring demo: its ballots, and a tally of its own to check tallyclerk's results against.

The tally here is written from the rules document (docs/RULES.md sections 5 to 8 and 11), not
from tallyclerk's code: validity, the counts, `weighting` per_form or group_share, every
`rate_base`, the `[[composite]]` parts, the ranking with its tie-breakers and the tiers, all in
exact fractions (fractions.Fraction), rounded only when printed. It reads whatever the
meeting folder's meeting.toml says, so the same tally checks the demo under other rules too.

    python3 demo.py generate                   rewrites ballots.csv beside this script,
                                               deterministically
    python3 demo.py check DIR BALLOTS RESULTS  tallies the forms of BALLOTS under the rules of
                                               the meeting folder DIR and compares the figures,
                                               one by one, with RESULTS (`tallyclerk tally DIR
                                               --format csv`); exit 1 on any difference

Python 3.11 or later (tomllib), standard library only.

What the ballots are built to show (`generate` tries seeds 1, 2, 3, ... and keeps the first
that shows all of it, so its output never changes):

- unequal turnout: 7 leaders, 20 cadres, 11 members. The leaders and the cadres see the
  organizations differently, so under group_share (each group its fixed share) the order by
  score is not the order under per_form (each form its group's weight, the cadres' turnout
  weighing in);
- the members leave C04, a community new to them, blank on every form: the members take no
  share of C04's figures (they do not score 0 for it);
- two invalid forms (one with more "A" than the limit of 4, one left blank), so the forms collected
  are more than the valid ones and each rate base gives its own rates;
- V08's column copies V07's on every form, so both have the same meeting score, top rate and
  approval rate; their daily scores differ, and the composite ranks them apart;
- the composite changes who is excellent: an organization among the best four by score is not
  among the best four by composite;
- no tie at a tier's cutoff.
"""
import csv
import io
import os
import random
import sys
from fractions import Fraction

try:
    import tomllib
except ModuleNotFoundError:  # Python before 3.11
    sys.exit("demo.py needs Python 3.11 or later (tomllib)")

HERE = os.path.dirname(os.path.abspath(__file__))

DEFAULT_SCALE = [
    {"key": "A", "points": 100, "approve": True},
    {"key": "B", "points": 80, "approve": True},
    {"key": "C", "points": 60, "approve": False},
    {"key": "D", "points": 0, "approve": False},
]


# ---------------------------------------------------------------------------------------------
# Reading a meeting folder

def decimal(value):
    """A TOML number as the exact decimal it is written as (0.3 is 3/10, not a binary float)."""
    return Fraction(str(value))


def read_text(path):
    """A CSV file's text: UTF-8 (with or without BOM), else GB18030."""
    data = open(path, "rb").read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read_rows(path):
    """The rows of a CSV file, header included, blank rows left out, cells trimmed."""
    rows = csv.reader(io.StringIO(read_text(path), newline=""))
    return [[c.strip() for c in row] for row in rows if any(c.strip() for c in row)]


class Meeting:
    def __init__(self, folder):
        with open(os.path.join(folder, "meeting.toml"), "rb") as f:
            toml = tomllib.load(f)
        rows = read_rows(os.path.join(folder, toml.get("organizations", "organizations.csv")))
        self.orgs = [row[0] for row in rows[1:]]
        scale = toml.get("scale", DEFAULT_SCALE)
        self.keys = [o["key"] for o in scale]
        self.points = {o["key"]: decimal(o["points"]) for o in scale}
        # Without `approve`, the best two options approve (section 2).
        self.approve = {o["key"] for i, o in enumerate(scale) if o.get("approve", i < 2)}
        self.weight = {g["id"]: decimal(g.get("weight", 1)) for g in toml.get("groups", [])}
        self.groups = [g["id"] for g in toml.get("groups", [])]
        rules = toml.get("rules", {})
        self.max_marks = rules.get("max_marks", {})
        self.min_marked = rules.get("min_marked", 1)
        self.weighting = rules.get("weighting", "per_form")
        self.rate_base = rules.get("rate_base", "rated")
        self.keys_ranked = [rules.get("rank_by", "score")] + rules.get(
            "tie_breakers", ["top_rate", "approval_rate"])
        self.present = toml.get("attendance", {}).get("present")
        self.tiers = [(t["name"], t["quota"]) for t in toml.get("tiers", [])]
        self.parts = []
        for part in toml.get("composite", []):
            if part.get("source") == "meeting":
                scores = None
            else:
                rows = read_rows(os.path.join(folder, part["file"]))
                scores = {row[0].upper(): Fraction(row[1]) for row in rows[1:]}
                assert sorted(scores) == sorted(o.upper() for o in self.orgs), part["file"]
            self.parts.append((part["id"], decimal(part["weight"]), scores))

    def forms(self, path):
        """The forms of a ballots CSV: (serial, group, {org: mark})."""
        rows = read_rows(path)
        header = rows[0]
        forms = []
        for row in rows[1:]:
            row = row + [""] * (len(header) - len(row))
            cells = dict(zip(header, row))
            forms.append((cells["serial"], cells["group"], {o: cells[o] for o in self.orgs}))
        return forms


# ---------------------------------------------------------------------------------------------
# The rules

def invalid(meeting, marks):
    """Why a form is invalid (section 5), or None: a limit of an option broken, in scale
    order, then too few marks that rate (blank and spoiled ones do not)."""
    values = list(marks.values())
    for key in meeting.keys:
        limit = meeting.max_marks.get(key)
        if limit is not None and values.count(key) > limit:
            return f"{values.count(key)} marks {key}, at most {limit}"
    rated = sum(v in meeting.points for v in values)
    if rated < meeting.min_marked:
        return f"{rated} rated, at least {meeting.min_marked}"
    return None


def figures_over(meeting, n, base):
    """score, top_rate, approval_rate of the counts n (section 6), the rates over base."""
    rated = sum(n.values())
    score = sum(n[k] * meeting.points[k] for k in meeting.keys) / rated if rated else Fraction(0)
    best = n[meeting.keys[0]]
    approving = sum(n[k] for k in meeting.approve)
    top = best / base if base else Fraction(0)
    approval = approving / base if base else Fraction(0)
    return score, top, approval


def tally(meeting, forms):
    """Per organization: its counts (per option, blank, rated) and its figures."""
    valid = [(g, m) for _, g, m in forms if invalid(meeting, m) is None]
    per_group = meeting.weighting == "group_share"

    def form_weight(group):
        # Under group_share a form counts 1 within its group (section 6).
        return Fraction(1) if per_group else meeting.weight.get(group, Fraction(1))

    def counts(org, of_group=None):
        n = {k: Fraction(0) for k in meeting.keys}
        blank = Fraction(0)
        for group, marks in valid:
            if of_group is not None and group != of_group:
                continue
            if marks[org] in meeting.points:
                n[marks[org]] += form_weight(group)
            else:
                blank += form_weight(group)
        return n, blank

    def base(n, of_group=None):
        def weighed(which):
            return sum(form_weight(g) for g, m in which
                       if of_group is None or g == of_group)
        if meeting.rate_base == "rated":
            return sum(n.values())
        if meeting.rate_base == "valid_forms":
            return weighed(valid)
        if meeting.rate_base == "collected":
            return weighed([(g, m) for _, g, m in forms])
        if meeting.rate_base == "present":
            return Fraction(meeting.present)
        raise SystemExit(f"unknown rate_base {meeting.rate_base}")

    out = {}
    for org in meeting.orgs:
        n, blank = counts(org)
        if per_group:
            # Each group that rated the organization gives its figures; they are averaged with
            # the groups' weights as shares, over those groups only.
            sums, shares = [Fraction(0)] * 3, Fraction(0)
            for group in meeting.groups:
                gn, _ = counts(org, group)
                if sum(gn.values()) == 0:
                    continue
                share = meeting.weight[group]
                f = figures_over(meeting, gn, base(gn, group))
                sums = [s + share * x for s, x in zip(sums, f)]
                shares += share
            figures = [s / shares for s in sums] if shares else [Fraction(0)] * 3
        else:
            figures = list(figures_over(meeting, n, base(n)))
        score, top, approval = figures
        composite = None
        if meeting.parts:
            total = sum(w for _, w, _ in meeting.parts)
            composite = sum(w * (score if s is None else s[org.upper()])
                            for _, w, s in meeting.parts) / total
        out[org] = {
            "n": n, "blank": blank, "rated": sum(n.values()),
            "score": score, "top_rate": top, "approval_rate": approval,
            "composite": composite,
        }
    return out


def rank(meeting, figures):
    """[(org, rank, tier)] in rank order (sections 7 and 8): higher first on rank_by, then on
    each tie-breaker; organizations equal on all of them share the rank of the first; a tier
    is undecided where a shared rank spans its cutoff."""
    key = {o: tuple(figures[o][k] for k in meeting.keys_ranked) for o in meeting.orgs}
    order = sorted(meeting.orgs, key=lambda o: tuple(-x for x in key[o]))
    keys = [key[o] for o in order]

    def tier_of(place):
        end = 0
        for name, quota in meeting.tiers:
            end += quota
            if place <= end:
                return name
        return ""

    rows = []
    for o in order:
        first = keys.index(key[o]) + 1
        last = len(keys) - keys[::-1].index(key[o])
        tier = tier_of(first) if tier_of(first) == tier_of(last) else "undecided"
        rows.append((o, first, tier))
    return rows


# ---------------------------------------------------------------------------------------------
# Printing (section 11)

def fixed(value, places):
    """value rounded half up to places decimals."""
    scaled = value * 10 ** places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    text = str(whole).rjust(places + 1, "0")
    return f"{text[:-places]}.{text[-places:]}" if places else text


def shortest(value):
    """An exact count in thousandths in its shortest form: 12, 12.5, 0.125."""
    text = fixed(value, 3)
    assert Fraction(text) == value, value
    return text.rstrip("0").rstrip(".")


def expected_cells(meeting, f):
    cells = {"score": fixed(f["score"], 2), "rated": shortest(f["rated"]),
             "blank": shortest(f["blank"]),
             "top_rate": fixed(f["top_rate"], 4), "approval_rate": fixed(f["approval_rate"], 4)}
    for k in meeting.keys:
        cells[f"count_{k}"] = shortest(f["n"][k])
    if f["composite"] is not None:
        cells["composite"] = fixed(f["composite"], 2)
    return cells


# ---------------------------------------------------------------------------------------------
# check

def check(folder, ballots_path, results_path):
    meeting = Meeting(folder)
    forms = meeting.forms(ballots_path)
    figures = tally(meeting, forms)
    ranking = rank(meeting, figures)
    lines = [l for l in read_text(results_path).splitlines() if l and not l.startswith("#")]
    table = list(csv.DictReader(lines))
    differences = []
    compared = 0
    if [r["org_id"] for r in table] != [o for o, _, _ in ranking]:
        # Organizations sharing a rank may stand in either order; the ranks must still agree.
        if sorted(r["org_id"] for r in table) != sorted(meeting.orgs):
            differences.append("the results do not list every organization once")
    ranks_in_order = [int(r["rank"]) for r in table]
    if ranks_in_order != sorted(ranks_in_order):
        differences.append(f"ranks out of order: {ranks_in_order}")
    mine = {o: (r, t) for o, r, t in ranking}
    for row in table:
        org = row["org_id"]
        if org not in figures:
            continue
        want = expected_cells(meeting, figures[org])
        want["rank"] = str(mine[org][0])
        want["tier"] = mine[org][1]
        for part_id, _, scores in meeting.parts:
            if scores is not None:
                want[part_id] = fixed(scores[org.upper()], 2)
        for column, value in want.items():
            compared += 1
            if row.get(column) != value:
                differences.append(f"{org} {column}: tallyclerk {row.get(column)}, demo.py {value}")
        note = row.get("note", "")
        if (mine[org][1] == "undecided") != note.startswith("tie at cutoff"):
            differences.append(f"{org} note: tallyclerk {note!r}, tier {mine[org][1]}")
    if differences:
        print("\n".join(differences))
        sys.exit(1)
    print(f"{len(table)} organizations, {compared} figures: tallyclerk and demo.py agree "
          f"(weighting {meeting.weighting}, rate_base {meeting.rate_base})")


# ---------------------------------------------------------------------------------------------
# generate

TURNOUT = ["leaders"] * 7 + ["cadres"] * 20 + ["members"] * 11
TWINS = {"V08": "V07"}       # twin -> source: the same mark on every form
UNKNOWN_TO = {"C04": "members"}   # organization -> the group that leaves it blank
OVER_MARKED = 9              # serial of the form meant to give 6 "A" (over the limit of 4)
BLANK_FORM = 30              # serial of the form handed back with nothing marked


def generate_forms(meeting, seed):
    rng = random.Random(seed)
    entities = [o for o in meeting.orgs if o not in TWINS]
    quality = {o: rng.uniform(55, 95) for o in entities}
    # The leaders see the communities' work more than the cadres do, who see the villages'.
    bias = {"leaders": {"village": -6, "community": 6},
            "cadres": {"village": 5, "community": -5},
            "members": {"village": 0, "community": 0}}
    groups = TURNOUT[:]
    rng.shuffle(groups)
    forms = []
    for serial, group in enumerate(groups, start=1):
        if serial == BLANK_FORM:
            forms.append((str(serial), group, {o: "" for o in meeting.orgs}))
            continue
        kind = lambda o: "village" if o.startswith("V") else "community"
        seen = {o: quality[o] + bias[group][kind(o)] + rng.gauss(0, 8) for o in entities}
        order = sorted(entities, key=lambda o: -seen[o])
        n_a = 6 if serial == OVER_MARKED else rng.choice([3, 4, 4, 4])
        marks, given_a = {}, 0
        for i, o in enumerate(order):
            size = 1 + sum(1 for s in TWINS.values() if s == o)
            if given_a + size <= n_a:
                mark = "A"
                given_a += size
            elif i < n_a + 4:
                mark = "B"
            elif seen[o] < 50 and rng.random() < 0.5:
                mark = "D"
            else:
                mark = "C"
            if rng.random() < 0.03:
                mark = rng.choice(["", "*"])
            marks[o] = mark
        for twin, source in TWINS.items():
            marks[twin] = marks[source]
        for org, blind in UNKNOWN_TO.items():
            if group == blind:
                marks[org] = ""
        forms.append((str(serial), group, {o: marks[o] for o in meeting.orgs}))
    return forms


def with_rules(meeting, **rules):
    other = object.__new__(Meeting)
    other.__dict__.update(meeting.__dict__)
    other.__dict__.update(rules)
    return other


def shows_what_it_must(meeting, forms):
    """What the demo must show that these forms do not (empty when they show it all)."""
    missing = []
    if sum(invalid(meeting, m) is not None for _, _, m in forms) != 2:
        missing.append("not exactly two invalid forms")
    figures = tally(meeting, forms)
    ranking = rank(meeting, figures)
    if any(t == "undecided" for _, _, t in ranking):
        missing.append("a tie at a cutoff")
    by_score = rank(with_rules(meeting, keys_ranked=["score", "top_rate", "approval_rate"]),
                    figures)
    best = len(meeting.tiers) and meeting.tiers[0][1]
    if {o for o, _, _ in by_score[:best]} == {o for o, _, _ in ranking[:best]}:
        missing.append("the composite leaves the excellent tier as the score has it")
    per_form = tally(with_rules(meeting, weighting="per_form"), forms)
    order = lambda f: sorted(meeting.orgs, key=lambda o: -f[o]["score"])
    if order(per_form) == order(figures):
        missing.append("per_form orders the scores as group_share does")
    if figures["V07"]["composite"] == figures["V08"]["composite"]:
        missing.append("V07 and V08 not apart on the composite")
    return missing


def generate():
    meeting = Meeting(HERE)
    for seed in range(1, 10000):
        forms = generate_forms(meeting, seed)
        if not shows_what_it_must(meeting, forms):
            break
    else:
        sys.exit("no seed gives the demo what it must show")
    with open(os.path.join(HERE, "ballots.csv"), "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["serial", "group"] + meeting.orgs)
        for serial, group, marks in forms:
            writer.writerow([serial, group] + [marks[o] for o in meeting.orgs])
    figures = tally(meeting, forms)
    print(f"seed {seed}: {len(forms)} forms written to ballots.csv")
    for serial, _, marks in forms:
        why = invalid(meeting, marks)
        if why:
            print(f"invalid: #{serial} {why}")
    print("rank  id   score  composite  tier")
    for o, r, t in rank(meeting, figures):
        f = figures[o]
        print(f"{r:>4}  {o}  {fixed(f['score'], 2):>6}  {fixed(f['composite'], 2):>9}  {t}")


if __name__ == "__main__":
    if sys.argv[1:] == ["generate"]:
        generate()
    elif len(sys.argv) == 5 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)

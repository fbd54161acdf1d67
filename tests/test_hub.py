"""The course on a real JupyterHub (issue 14, points 1-2): `hub/hub.py start` (what `make hub` runs),
then every role through the REST APIs that JupyterLab's nbgrader extensions use, then one student and
the instructor in headless Chromium (screenshots in build/hub/screenshots), then `hub/hub.py stop`.

The course is whole (issue 22, item 6): both editions released from formgrader, the students named
from hub/roster.csv, each edition's due date in formgrader and, with the late-submission policy, on the
hub's pages; a restart keeps all of it (and a due date the instructor changed).

Needs root (the hub makes local users and runs their servers as them), build/hub/venv and the proxy
(`make hub-test` installs both); the browser part needs Debian's chromium and Playwright. Each
missing piece skips, saying which."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
HUB_DIR = ROOT / "build" / "hub"
SHOTS = HUB_DIR / "screenshots"
COURSE_ID = "embedding-kit"
STUDENTS = {"kit-alice": "alice", "kit-bob": "bob", "kit-mallory": "mallory"}   # -> demo.work's behaviours
INSTRUCTOR = "kit-instructor"
COURSE = Path("/home") / INSTRUCTOR / "course"
CHROMIUM = "/usr/bin/chromium"
EDITIONS = ("embedding", "embedding-zh")   # the English and the Chinese edition: alternatives
ROSTER = ROOT / "hub" / "roster.csv"


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the hub needs root (it creates local users and spawns their servers as them)"
    if not (HUB_DIR / "venv" / "bin" / "jupyterhub").exists() or \
            not (HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        return "build/hub/venv or the proxy is not installed: `make hub-test` installs them"
    if not shutil.which("useradd"):
        return "useradd is missing"
    return None


if _missing():
    pytest.skip(_missing(), allow_module_level=True)
httpx = pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def hub():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HUB_PORT": str(port)}
    reset = subprocess.run([sys.executable, str(ROOT / "hub" / "hub.py"), "reset"], capture_output=True, text=True,
                           timeout=600)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    start = subprocess.run([sys.executable, str(ROOT / "hub" / "hub.py"), "start"], env=env, capture_output=True,
                           text=True, timeout=600)
    assert start.returncode == 0, start.stdout + start.stderr + (HUB_DIR / "jupyterhub.log").read_text()[-4000:]
    settings = json.loads((HUB_DIR / "hub.json").read_text())
    passwords = dict(line.split() for line in (HUB_DIR / "passwords.txt").read_text().splitlines())
    url = f"http://127.0.0.1:{port}"
    admin = httpx.Client(base_url=url, headers={"Authorization": f"token {settings['service_token']}"}, timeout=300)
    state = {"url": url, "admin": admin, "passwords": passwords, "settings": settings, "clients": {}}
    try:
        yield state
    finally:
        for c in state["clients"].values():
            c.close()
        admin.close()
        stop = subprocess.run([sys.executable, str(ROOT / "hub" / "hub.py"), "stop"], capture_output=True,
                              text=True, timeout=600)
        state["stopped"] = stop


def server(hub, user: str) -> "httpx.Client":
    """A client for `user`'s single-user server (started through the hub's API, with a token of theirs)."""
    if user in hub["clients"]:
        return hub["clients"][user]
    admin = hub["admin"]
    token = admin.post(f"/hub/api/users/{user}/tokens", json={"note": "e2e"}).raise_for_status().json()["token"]
    r = admin.post(f"/hub/api/users/{user}/server")
    assert r.status_code in (201, 202, 400), r.text   # 400: already running
    deadline = time.monotonic() + 600
    while not admin.get(f"/hub/api/users/{user}").json().get("servers", {}).get("", {}).get("ready"):
        assert time.monotonic() < deadline, (HUB_DIR / "jupyterhub.log").read_text()[-4000:]
        time.sleep(2)
    client = httpx.Client(base_url=f"{hub['url']}/user/{user}", timeout=600,
                          headers={"Authorization": f"token {token}"})
    hub["clients"][user] = client
    return client


def formgrader(hub, user: str = INSTRUCTOR) -> "httpx.Client":
    """A client for formgrader, the hub's service, with a token of `user`'s (waits until it answers)."""
    key = f"formgrader:{user}"
    if key not in hub["clients"]:
        token = hub["admin"].post(f"/hub/api/users/{user}/tokens", json={"note": "e2e"}).raise_for_status().json()
        client = httpx.Client(base_url=f"{hub['url']}/services/{hub['settings']['formgrader']}", timeout=600,
                              headers={"Authorization": f"token {token['token']}"})
        deadline = time.monotonic() + 600
        while client.get("/api/status").status_code == 503:   # the proxy's answer while it starts
            assert time.monotonic() < deadline, (HUB_DIR / "formgrader.log").read_text()[-4000:]
            time.sleep(2)
        hub["clients"][key] = client
    return hub["clients"][key]


def ok(r):
    assert r.status_code < 400, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:2000]}"
    return r.json()


def test_a_person_logs_in_with_a_password(hub):
    """Does the hub's login form let a student in with the password `make hub` gave them, and refuse a
    wrong one?"""
    with httpx.Client(base_url=hub["url"], timeout=120, follow_redirects=False) as c:
        c.get("/hub/login")
        xsrf = c.cookies.get("_xsrf")
        bad = c.post("/hub/login", data={"username": "kit-alice", "password": "wrong", "_xsrf": xsrf})
        assert bad.status_code == 403 or "Invalid username or password" in bad.text
        good = c.post("/hub/login", data={"username": "kit-alice", "password": hub["passwords"]["kit-alice"],
                                          "_xsrf": xsrf})
        assert good.status_code == 302 and "/login" not in good.headers["location"], good.text[:500]
        me = c.get("/hub/api/user", headers={"X-XSRFToken": xsrf})
        assert me.status_code == 200 and me.json()["name"] == "kit-alice"


def test_formgrader_is_a_service_for_the_graders_only(hub):
    """Does formgrader, the hub's service, answer the instructor (in the graders' group) and refuse a
    student?"""
    assert formgrader(hub).get("/formgrader/api/assignments").status_code == 200
    assert formgrader(hub, "kit-alice").get("/formgrader/api/assignments").status_code == 403


def _roster() -> dict:
    import csv
    with open(ROSTER, newline="", encoding="utf-8") as f:
        return {r["id"]: (r["last_name"], r["first_name"], r["email"]) for r in csv.DictReader(f)}


def _due(iso: str) -> str:
    """A due date as the gradebook's API gives it (naive UTC, ISO) -> as the hub's pages say it."""
    return f"{iso[:10]} {iso[11:16]} UTC"


def test_formgrader_lists_both_editions_each_with_a_due_date(hub):
    """Before anything is generated: does Manage Assignments (formgrader's API) list the English and the
    Chinese edition, each with a due date?"""
    listed = {a["name"]: a for a in ok(formgrader(hub).get("/formgrader/api/assignments"))}
    assert set(EDITIONS) <= set(listed), sorted(listed)
    for edition in EDITIONS:
        assert listed[edition]["duedate"] and listed[edition]["display_duedate"], listed[edition]
    hub["duedates"] = {e: listed[e]["duedate"] for e in EDITIONS}


def test_formgrader_names_every_student_from_the_roster(hub):
    """Before anyone submits: does Manage Students (formgrader's API) list every student of the hub by
    the name and email in hub/roster.csv (imported with `nbgrader db student import`), not "None, None"?"""
    students = {s["id"]: (s["last_name"], s["first_name"], s["email"])
                for s in ok(formgrader(hub).get("/formgrader/api/students"))}
    assert students == _roster() and set(students) == set(STUDENTS), students


def test_the_hubs_pages_say_the_due_dates_and_the_late_policy(hub):
    """Does the hub's login page (which every student passes) and its home page say each edition's due
    date, as the gradebook has it, and what a late submission costs (the course's policy: nbgrader's
    LateSubmissionPlugin, penalty_method "none": marked late, no points off)?"""
    listed = {a["name"]: a for a in ok(formgrader(hub).get("/formgrader/api/assignments"))}
    with httpx.Client(base_url=hub["url"], timeout=120) as c:
        login = c.get("/hub/login").text
        c.post("/hub/login", data={"username": "kit-bob", "password": hub["passwords"]["kit-bob"],
                                   "_xsrf": c.cookies.get("_xsrf")})
        home = c.get("/hub/home")
        assert home.status_code == 200 and "/hub/login" not in str(home.url), home.url
        home = home.text
    for page in (login, home):
        assert "no points are taken off" in page and "不扣分" in page, page[:3000]
        for edition in EDITIONS:
            due = listed.get(edition, {}).get("duedate")
            assert due and f"<b>{edition}</b> {_due(due)}" in page, (edition, due, page[:3000])


def test_the_instructor_generates_and_releases_in_formgrader(hub):
    """Through formgrader's API (the hub's service): generate, then release, each edition?"""
    fg = formgrader(hub)
    for edition in EDITIONS:
        for step in ("assign", "release"):
            res = ok(fg.post(f"/formgrader/api/assignment/{edition}/{step}"))
            assert res["success"], (edition, step, res.get("error") or res.get("log", ""))[-3000:]
    listed = {a["name"]: a for a in ok(fg.get("/formgrader/api/assignments"))}
    assert [listed[e]["status"] for e in EDITIONS] == ["released", "released"], listed


def test_students_fetch_work_validate_and_submit(hub, tmp_path):
    """Does each student fetch the assignment from the Assignments tab's API, save their work through
    the contents API, validate it and submit it?"""
    import nbformat
    from autograder import demo
    answers = demo.solutions_by_cell()
    for user, behaviour in STUDENTS.items():
        s = server(hub, user)
        listed = ok(s.get("/assignments", params={"course_id": COURSE_ID}))
        assert listed["success"] and {a["assignment_id"] for a in listed["value"] if a["status"] == "released"} \
            == set(EDITIONS), listed
        fetched = ok(s.post("/assignments/fetch", data={"course_id": COURSE_ID, "assignment_id": "embedding"}))
        assert any(a["status"] == "fetched" for a in fetched["value"]), fetched
        model = ok(s.get("/api/contents/embedding/embedding.ipynb", params={"content": 1}))
        local = tmp_path / f"{user}.ipynb"
        nbformat.write(nbformat.from_dict(model["content"]), local)
        demo.work(local, behaviour, answers)
        ok(s.put("/api/contents/embedding/embedding.ipynb",
                 json={"type": "notebook", "format": "json", "content": json.loads(local.read_text())}))
        valid = ok(s.post("/assignments/validate", data={"path": "embedding/embedding.ipynb"}))
        assert valid["success"], valid
        submitted = ok(s.post("/assignments/submit", data={"course_id": COURSE_ID, "assignment_id": "embedding"}))
        assert any(a["status"] == "submitted" for a in submitted["value"]), submitted
    s = server(hub, "kit-alice")   # the Chinese edition: fetched as the English one is
    fetched = ok(s.post("/assignments/fetch", data={"course_id": COURSE_ID, "assignment_id": "embedding-zh"}))
    assert any(a["assignment_id"] == "embedding-zh" and a["status"] == "fetched" for a in fetched["value"]), fetched
    model = ok(s.get("/api/contents/embedding-zh/embedding.ipynb", params={"content": 1}))
    assert "从零实现" in "".join(model["content"]["cells"][0]["source"])


def _total() -> float:
    """The edition's points: its four parts graded automatically and its written answers by hand."""
    nb = json.loads((ROOT / "source" / "embedding" / "embedding.ipynb").read_text())
    return float(sum(c["metadata"]["nbgrader"].get("points", 0) for c in nb["cells"]
                     if c.get("metadata", {}).get("nbgrader", {}).get("grade")))


TOTAL = _total()


def test_the_instructor_collects_grades_with_the_kit_and_releases_feedback(hub):
    """Collect, autograde each student in formgrader (the kit's isolated grader), generate and release
    feedback: are the scores in formgrader what the kit gives each kind of work?"""
    fg = formgrader(hub)
    res = ok(fg.post("/formgrader/api/assignment/embedding/collect"))
    assert res["success"], (res.get("error") or res.get("log", ""))[-3000:]
    for user in STUDENTS:
        res = ok(fg.post(f"/formgrader/api/submission/embedding/{user}/autograde"))
        assert res["success"], res.get("log", "")[-3000:]
    scores = {s["student"]: s["score"] for s in ok(fg.get("/formgrader/api/submissions/embedding"))}
    assert scores["kit-alice"] == 100
    assert 0 < scores["kit-bob"] < 100 and 0 < scores["kit-mallory"] < 100
    students = {s["id"]: s for s in ok(fg.get("/formgrader/api/students"))}
    assert {students[u]["max_score"] for u in STUDENTS} == {TOTAL}
    for step in ("generate_feedback", "release_feedback"):
        res = ok(fg.post(f"/formgrader/api/assignment/embedding/{step}"))
        assert res["success"], (step, res.get("error") or res.get("log", ""))[-3000:]


def test_each_student_fetches_their_feedback(hub):
    """Does each student get their own feedback back through the Assignments tab's API, with their
    score and, for bob, what failed?"""
    for user in STUDENTS:
        s = server(hub, user)
        res = ok(s.post("/assignments/fetch_feedback", data={"course_id": COURSE_ID, "assignment_id": "embedding"}))
        mine = [a for a in res["value"] if a["assignment_id"] == "embedding"]
        feedback = [nb for a in mine for sub in a.get("submissions", [a]) for nb in sub.get("notebooks", [])
                    if nb.get("has_local_feedback")]
        assert feedback, res
        folder = ok(s.get("/api/contents/embedding/feedback"))["content"]
        html = s.get(f"/files/embedding/feedback/{folder[0]['name']}/embedding.html").text
        score = re.search(rf"\(Score: ([0-9.]+) / {TOTAL:g}", html)
        assert score, html[:500]
        hub.setdefault("feedback", {})[user] = f"embedding/feedback/{folder[0]['name']}/embedding.html"
        if user == "kit-alice":
            assert float(score.group(1)) == 100
        else:
            assert float(score.group(1)) < 100 and "FAIL" in html


def as_user(user: str, *cmd: str) -> subprocess.CompletedProcess:
    """`cmd` as `user` (their uid, groups and nothing more): what they could do in their lab's terminal."""
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True, timeout=300, cwd="/")


def _first(folder: Path, pattern: str) -> Path:
    found = sorted(folder.rglob(pattern))
    assert found, f"nothing matches {pattern} in {folder}"
    return found[0]


def _readable(user: str, paths) -> list[str]:
    """Those of `paths` (each there, as root sees) that `user` can list (a folder) or read (a file)."""
    leaks = []
    for path in paths:
        assert path.exists(), path
        r = as_user(user, *(["ls", "-a", str(path)] if path.is_dir() else ["head", "-c", "1", str(path)]))
        if r.returncode == 0 or "Permission denied" not in r.stderr:
            leaks.append(f"{path} ({'listed' if path.is_dir() else 'read'})")
    return leaks


def test_a_student_reads_nothing_of_the_others_the_course_or_the_kit(hub):
    """After a whole round (submissions collected, graded, feedback returned): can alice, as herself (what
    her lab's terminal runs as), list or read bob's home, notebook or feedback, the instructor's course
    (its source with the solutions, the gradebook, every submission, autograded notebook, grader's
    results and feedback), or the kit's checkout (the hidden graders, the solutions, the source, git's
    objects, the hub's passwords, tokens and logs)? Can bob read alice's? None of it may be open."""
    bob, alice = Path("/home/kit-bob"), Path("/home/kit-alice")
    results = _first(COURSE, "autograder_results")
    private = [
        bob, bob / "embedding", bob / "embedding" / "embedding.ipynb", bob / hub["feedback"]["kit-bob"],
        COURSE.parent, COURSE, COURSE / "gradebook.db", COURSE / "nbgrader_config.py",
        COURSE / "source" / "embedding" / "embedding.ipynb", COURSE / "source" / "embedding-zh" / "embedding.ipynb",
        COURSE / "submitted" / "kit-bob" / "embedding" / "embedding.ipynb",
        COURSE / "autograded" / "kit-bob" / "embedding" / "embedding.ipynb",
        COURSE / "feedback" / "kit-bob" / "embedding" / "embedding.html", results, _first(results, "*.json"),
        ROOT, ROOT / ".git", ROOT / ".git" / "config", ROOT / "nbgrader_config.py",
        ROOT / "autograder", ROOT / "autograder" / "driver.py", ROOT / "autograder" / "graders",
        _first(ROOT / "autograder" / "graders", "test_*.py"), ROOT / "solutions", _first(ROOT / "solutions", "*.ipynb"),
        ROOT / "source", ROOT / "source" / "embedding" / "embedding.ipynb", ROOT / "build", HUB_DIR,
        HUB_DIR / "passwords.txt", HUB_DIR / "hub.json", HUB_DIR / "state", HUB_DIR / "jupyterhub.log",
        HUB_DIR / "formgrader.log", ROSTER]
    leaks = _readable("kit-alice", private)
    leaks += _readable("kit-bob", [alice, alice / "embedding" / "embedding.ipynb",
                                   alice / hub["feedback"]["kit-alice"]])
    assert not leaks, "open to another student:\n" + "\n".join(leaks)
    for user in STUDENTS:
        assert Path(f"/home/{user}").stat().st_mode & 0o777 == 0o700
    assert COURSE.parent.stat().st_mode & 0o077 == 0 and COURSE.stat().st_mode & 0o077 == 0


def test_a_student_still_runs_what_the_course_needs(hub):
    """Closed as the checkout is, can alice still run the hub's Python and nbgrader, read the labs' shared
    config and the released assignment in the exchange, and her own work; and can the instructor (the
    graders' group) read the hidden graders that formgrader's grader imports?"""
    env = ["env", f"LD_LIBRARY_PATH={HUB_DIR / 'python' / 'lib'}"]
    r = as_user("kit-alice", *env, str(HUB_DIR / "venv" / "bin" / "python"), "-c",
                "import nbgrader, jupyterlab, torch; print('imported')")
    assert r.returncode == 0 and "imported" in r.stdout, r.stderr[-2000:]
    r = as_user("kit-alice", *env, str(HUB_DIR / "venv" / "bin" / "nbgrader"), "--version")
    assert r.returncode == 0, r.stderr[-2000:]
    settings = hub["settings"]
    for path in (Path(settings["etc"]) / "common" / "nbgrader_config.py",
                 Path("/home/kit-alice/embedding/embedding.ipynb"),
                 Path(settings["exchange"]) / COURSE_ID / "outbound" / "embedding" / "embedding.ipynb"):
        r = as_user("kit-alice", "head", "-c", "1", str(path))
        assert r.returncode == 0, (path, r.stderr)
    grader = _first(ROOT / "autograder" / "graders", "test_*.py")
    r = as_user(INSTRUCTOR, "head", "-c", "1", str(grader))
    assert r.returncode == 0, r.stderr


def _terminal(hub, user: str, command: str) -> str:
    """What `command` prints in a terminal of `user`'s JupyterLab (its websocket, as the lab's terminal tab)."""
    import asyncio
    from tornado import httpclient, websocket
    s = server(hub, user)
    name = ok(s.post("/api/terminals"))["name"]
    url = hub["url"].replace("http://", "ws://") + f"/user/{user}/terminals/websocket/{name}"

    async def talk() -> str:
        conn = await websocket.websocket_connect(httpclient.HTTPRequest(
            url, headers={"Authorization": s.headers["Authorization"]}))
        await conn.write_message(json.dumps(["stdin", f"{command}; echo KIT-END-$?\r"]))
        out, deadline = "", time.monotonic() + 300
        while not re.search(r"KIT-END-\d+", out):   # the echoed command line reads KIT-END-$?
            msg = await asyncio.wait_for(conn.read_message(), max(1, deadline - time.monotonic()))
            assert msg is not None, out
            kind, *rest = json.loads(msg)
            out += rest[0] if kind == "stdout" else ""
        conn.close()   # the text without its escapes (colours, title, bracketed paste) and carriage returns
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r", "", out)

    try:
        return asyncio.run(talk())
    finally:
        s.delete(f"/api/terminals/{name}")


def test_the_labs_terminal_has_the_course_tools_and_a_private_umask(hub):
    """In a student's JupyterLab terminal: is nbgrader on PATH, are the files she makes hers alone (umask
    077), and is bob's notebook refused? In the instructor's: does `python -m autograder` (the class's
    batch grading) start?"""
    out = _terminal(hub, "kit-alice", "umask; command -v nbgrader; nbgrader --version >/dev/null && echo NBGRADER-OK; "
                                      "head -c 100 /home/kit-bob/embedding/embedding.ipynb")
    assert "0077" in out.splitlines(), out[-3000:]
    assert str(HUB_DIR / "venv" / "bin" / "nbgrader") in out and "NBGRADER-OK" in out, out[-3000:]
    assert "Permission denied" in out, out[-3000:]
    out = _terminal(hub, INSTRUCTOR, "python -m autograder --help")
    assert "usage: python -m autograder" in out and "KIT-END-0" in out, out[-3000:]


def _browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): the browser part is skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (requirements.lock) is not installed")
    p = sync_api.sync_playwright().start()
    # Playwright gives the browser a fresh, empty profile of its own (its own --user-data-dir)
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"])
    return p, browser


def _login(page, hub, user):
    page.goto(f"{hub['url']}/hub/login", timeout=120_000)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", hub["passwords"][user])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(rf"/user/{user}/"), timeout=600_000)


def test_in_chromium_a_student_and_the_instructor(hub):
    """In headless Chromium: does alice log in, see her assignment in the Assignments tab and read her
    feedback; does the instructor, through the hub's formgrader service, see everyone out of 100 in
    Manage Students? Screenshots kept."""
    p, browser = _browser()
    SHOTS.mkdir(mode=0o700, parents=True, exist_ok=True)   # alice's score: root's alone
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        _login(page, hub, "kit-alice")
        page.goto(f"{hub['url']}/user/kit-alice/lab", timeout=300_000)
        page.wait_for_selector("#jp-main-dock-panel", timeout=300_000)
        page.get_by_text("Nbgrader", exact=True).first.click()
        page.get_by_text("Assignment List", exact=False).first.click()
        page.wait_for_selector("text=embedding", timeout=120_000)
        page.screenshot(path=str(SHOTS / "student-assignments.png"))
        page.goto(f"{hub['url']}/user/kit-alice/files/{hub['feedback']['kit-alice']}", timeout=120_000)
        page.wait_for_selector("#toc", timeout=60_000)
        assert "Lookup as a one-hot product" in page.inner_text("#toc")
        page.screenshot(path=str(SHOTS / "student-feedback.png"))

        page = browser.new_page(viewport={"width": 1400, "height": 900})
        _login(page, hub, INSTRUCTOR)
        page.goto(f"{hub['url']}/services/{hub['settings']['formgrader']}/formgrader/manage_students",
                  timeout=300_000)
        page.wait_for_selector("text=kit-bob", timeout=120_000)
        text = page.inner_text("body")
        assert f"/ {2 * TOTAL:g}" not in text and f"{TOTAL:g}" in text
        assert "None, None" not in text and all(f"{last}, {first}" in text for last, first, _ in _roster().values())
        page.screenshot(path=str(SHOTS / "instructor-manage-students.png"))
        page.goto(f"{hub['url']}/services/{hub['settings']['formgrader']}/formgrader/manage_assignments",
                  timeout=300_000)
        page.wait_for_selector("text=embedding-zh", timeout=120_000)
        text = page.inner_text("body")
        for edition in EDITIONS:   # the due date, as Manage Assignments writes it (nbgrader's format, UTC)
            assert hub["duedates"][edition].replace("T", " ")[:19] in text, text[:3000]
        page.screenshot(path=str(SHOTS / "instructor-manage-assignments.png"))
    finally:
        browser.close()
        p.stop()
    assert all((SHOTS / f).stat().st_size > 10_000 for f in
               ("student-assignments.png", "student-feedback.png", "instructor-manage-students.png",
                "instructor-manage-assignments.png"))


def test_the_instructor_changes_a_due_date_in_formgrader(hub):
    """Manage Assignments' edit (formgrader's PUT): does the Chinese edition's due date change? (The next
    start must keep it: test_hub_stop_cleans_up_after_a_hub_that_died.)"""
    res = ok(formgrader(hub).put("/formgrader/api/assignment/embedding-zh",
                                 json={"duedate_notimezone": "2031-01-15T12:00:00", "duedate_timezone": "+0000"}))
    assert res["duedate"] == "2031-01-15T12:00:00", res
    hub["duedates"]["embedding-zh"] = res["duedate"]


def test_hub_stop_leaves_nothing_running(hub):
    """After `hub/hub.py stop`: did it succeed, does nothing run as the hub's users any more, and is
    nothing listening on the hub's, its API's or the proxy's port?"""
    from importlib import util
    spec = util.spec_from_file_location("hubmod", ROOT / "hub" / "hub.py")
    mod = util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    stop = subprocess.run([sys.executable, str(ROOT / "hub" / "hub.py"), "stop"], capture_output=True, text=True,
                          timeout=600)
    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert mod._users_processes() == [] and mod._pid() is None
    for port in (hub["url"].rsplit(":", 1)[1], hub["settings"]["hub_port"], hub["settings"]["proxy_api_port"]):
        with pytest.raises(httpx.ConnectError):   # the hub, its own API and the proxy's: all closed
            httpx.get(f"http://127.0.0.1:{port}/", timeout=30)


def test_hub_stop_cleans_up_after_a_hub_that_died(hub):
    """A hub killed outright leaves its proxy (a session of its own) and the proxy's pid file: does
    `hub/hub.py stop` end that proxy too, and leave nothing listening? (On the way: does a start point a
    course made from another checkout at this one's config, keeping the instructor's own lines?)"""
    config = COURSE / "nbgrader_config.py"
    config.write_text(config.read_text().replace(str(ROOT), "/elsewhere/kit") + "# the instructor's own line\n")
    start = subprocess.run([sys.executable, str(ROOT / "hub" / "hub.py"), "start"], capture_output=True, text=True,
                           timeout=600, env={**os.environ, "HUB_PORT": hub["url"].rsplit(":", 1)[1]})
    assert start.returncode == 0, start.stdout + start.stderr
    text = config.read_text()
    assert f"load_subconfig({str(ROOT / 'nbgrader_config.py')!r})" in text and "/elsewhere" not in text
    assert text.endswith("# the instructor's own line\n")
    # Each start makes the course whole again and changes nothing in it: both editions' sources, the
    # roster once over, each edition's due date as it was (the instructor's change kept), announced.
    import sqlite3
    from datetime import datetime
    assert all((COURSE / "source" / e / "embedding.ipynb").exists() for e in EDITIONS)
    with sqlite3.connect(f"file:{COURSE / 'gradebook.db'}?mode=ro", uri=True) as db:
        students = {r[0]: tuple(r[1:]) for r in db.execute("SELECT id, last_name, first_name, email FROM student")}
        due = {r[0]: datetime.fromisoformat(r[1]) for r in db.execute("SELECT name, duedate FROM assignment")}
    assert students == _roster()
    assert due == {e: datetime.fromisoformat(d) for e, d in hub["duedates"].items()}, due
    announced = json.loads((HUB_DIR / "hub.json").read_text())["announcement"]
    assert all(f"<b>{e}</b> {_due(d)}" in announced for e, d in hub["duedates"].items()), announced
    settings = json.loads((HUB_DIR / "hub.json").read_text())
    os.kill(int((HUB_DIR / "launcher.pid").read_text()), 9)
    time.sleep(2)
    with httpx.Client(timeout=30) as c:   # the proxy outlived the hub
        assert c.get(f"http://127.0.0.1:{settings['proxy_api_port']}/api/routes").status_code in (200, 403)
    stop = subprocess.run([sys.executable, str(ROOT / "hub" / "hub.py"), "stop"], capture_output=True, text=True,
                          timeout=600)
    assert stop.returncode == 0, stop.stdout + stop.stderr
    for port in (hub["url"].rsplit(":", 1)[1], settings["proxy_api_port"]):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=30)

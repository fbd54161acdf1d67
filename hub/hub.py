"""`make hub` / `make hub-stop`: a local JupyterHub for one course, and stopping it.

    python hub/hub.py start     # as root: users, exchange, course, configs; then the hub on 127.0.0.1
    python hub/hub.py stop      # the hub, its proxy and every server it started; nothing left running
    python hub/hub.py status
    python hub/hub.py reset     # stop, then remove the users, their homes, the course and the exchange

The course (`ensure_course`, `ensure_gradebook`; each start does it again, and a second time changes
nothing): both editions' sources, `embedding` and `embedding-zh` (alternatives), for formgrader to
generate and release (a source already there is kept); the class, hub/roster.csv, imported into the
gradebook (`nbgrader db student import`: formgrader shows names; the file's names win); a due date for
each edition (HUB_DUEDATE sets it; else an edition without one gets one DUE_DAYS days on, 23:59 UTC,
and a date already there, one changed in formgrader too, is kept), which every page of the hub
announces with the course's late-submission policy.

Everything it makes lives in build/hub/ (passwords.txt, the exchange, the hub's state, its log), but
the users' homes (/home/kit-*) and the course (/home/kit-instructor/course), which belong to them.
Ports: HUB_PORT (default 8000) for people; the hub's own and the proxy's API port are free ports.

Privacy (`ensure_users`, `ensure_course`, `close_checkout`; each start sets it again): homes are 0700,
the course 0700; the checkout is 0751, group kit-graders (the hub's other users pass through it to
build/hub/ and list nothing); each of its entries but build/ and .venv/ (autograder/ with the hidden
graders, solutions/, source/, .git/, ...) is closed to others and open to the group kit-graders (the
instructor: formgrader's grader imports autograder/); in build/ and build/hub/ (0711) only the hub's
venv, its Python, the labs' config (etc/) and the exchange are open.
"""
import csv
import datetime
import grp
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATE = REPO / "build" / "hub"
VENV = STATE / "venv"
PROXY = STATE / "node_modules" / ".bin" / "configurable-http-proxy"
LIBS = STATE / "python" / "lib"   # libpython of the copied interpreter (its RUNPATH names /root)
INSTRUCTOR = "kit-instructor"
STUDENTS = ["kit-alice", "kit-bob", "kit-mallory"]
COURSE = Path("/home") / INSTRUCTOR / "course"
EXCHANGE = STATE / "exchange"
COURSE_ID = "embedding-kit"
FORMGRADER = f"formgrader-{COURSE_ID}"   # the hub service: /services/formgrader-embedding-kit/formgrader
EDITIONS = ("embedding", "embedding-zh")   # the course's editions: alternatives (the kit's count_editions_once)
ROSTER = REPO / "hub" / "roster.csv"   # the class: id,last_name,first_name,email (nbgrader db student import)
DUE_DAYS = 14   # without HUB_DUEDATE, an edition with no due date is due this many days on, at 23:59 UTC
GRADERS = "kit-graders"   # the Unix group that may read the kit's checkout (the hidden graders): the instructor
OPEN_IN_HUB = ("venv", "python", "etc", "exchange")   # all that the hub's users reach of the checkout


def copy_python() -> int:
    """The interpreter of .venv (pyenv's, under /root, which other users cannot enter), copied to
    build/hub/python without its site-packages: build/hub/venv is made from it, for every user."""
    import sysconfig
    base = Path(sys.base_prefix)
    dest = STATE / "python"
    if dest.exists():
        shutil.rmtree(dest)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (dest / "bin").mkdir(parents=True)
    shutil.copy2(base / "bin" / version, dest / "bin" / version)
    (dest / "bin" / "python3").symlink_to(version)
    lib = dest / "lib"
    shutil.copytree(base / "lib" / version, lib / version, symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "test", "tests", "idlelib", "tkinter"))
    (lib / version / "site-packages").mkdir()
    for so in base.glob(f"lib/lib{version}*.so*"):
        shutil.copy2(so, lib / so.name, follow_symlinks=False)
    for p in [dest, *dest.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | 0o044 | (0o011 if p.is_dir() or p.stat().st_mode & 0o100 else 0))
    print(f"{dest}: {version} from {base} ({sysconfig.get_config_var('LDLIBRARY')})")
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*cmd, **kw):
    """A system command; the shadow tools (useradd, chpasswd, groupadd, usermod) are retried while
    another process holds /etc/passwd's or /etc/shadow's lock ("cannot lock ...; try again later":
    a second hub, or another test run, changing users at the same moment)."""
    for attempt in range(40):
        try:
            return subprocess.run(list(cmd), check=True, capture_output=True, text=True, **kw)
        except subprocess.CalledProcessError as exc:
            if "lock" not in (exc.stderr or "") or attempt == 39:
                raise
            time.sleep(0.25)


def ensure_users() -> dict:
    """The instructor and the students as local users, each with a fresh password (passwords.txt, 0600)."""
    passwords = {}
    for user in [INSTRUCTOR] + STUDENTS:
        if subprocess.run(["id", user], capture_output=True).returncode != 0:
            run("useradd", "--create-home", "--shell", "/bin/bash", user)
        passwords[user] = secrets.token_urlsafe(9)
    run("chpasswd", input="".join(f"{u}:{p}\n" for u, p in passwords.items()))
    out = STATE / "passwords.txt"
    out.touch(mode=0o600)
    out.chmod(0o600)
    out.write_text("".join(f"{u} {p}\n" for u, p in passwords.items()))
    run("groupadd", "--force", GRADERS)
    run("usermod", "--append", "--groups", GRADERS, INSTRUCTOR)
    for user in [INSTRUCTOR] + STUDENTS:   # useradd made them 0755 (login.defs' UMASK): anyone read anyone's work
        Path("/home", user).chmod(0o700)
    return passwords


def ensure_course():
    """The instructor's course folder: the nbgrader source, and a config on top of the kit's."""
    kit_config = f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})"
    if not COURSE.exists():
        COURSE.mkdir(parents=True)
        (COURSE / "nbgrader_config.py").write_text(
            '"""The course on the hub: the kit\'s configuration, this folder as the course root."""\n'
            "import os\n\nc = get_config()  # noqa: F821\n"
            f"{kit_config}  # noqa: F821\n"
            "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))\n")
    else:   # a course made from another checkout (or one moved since) loads this one's config; the rest is kept
        config = COURSE / "nbgrader_config.py"
        text = config.read_text()
        config.write_text(re.sub(r"^load_subconfig\((['\"]).*?nbgrader_config\.py\1\)", lambda _: kit_config, text,
                                 count=1, flags=re.M))
    for edition in EDITIONS:   # each edition's source, for formgrader to generate and release; an instructor's kept
        if not (COURSE / "source" / edition).exists():
            shutil.copytree(REPO / "source" / edition, COURSE / "source" / edition)
    # The instructor's server runs in their home (the spawner starts every server there), and nbgrader
    # reads nbgrader_config.py from the working directory: from there, the course's.
    home_config = COURSE.parent / "nbgrader_config.py"
    home_config.write_text(f"c = get_config()  # noqa: F821\nload_subconfig({str(COURSE / 'nbgrader_config.py')!r})"
                           "  # noqa: F821\n")
    run("chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", str(COURSE), str(home_config))
    COURSE.chmod(0o700)   # the solutions, the gradebook, every submission: the instructor's alone


def read_roster() -> list[dict]:
    """hub/roster.csv: a row per student, the columns nbgrader's `db student import` reads (id, and
    any of last_name, first_name, email, lms_user_id). Its ids must be the hub's students."""
    with open(ROSTER, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if sorted(r.get("id") or "" for r in rows) != sorted(STUDENTS):
        sys.exit(f"{ROSTER}: its ids must be the hub's students, {', '.join(STUDENTS)} (hub.py's STUDENTS)")
    return rows


def ensure_gradebook(settings: dict) -> dict:
    """The gradebook of the course, as the instructor (`gradebook` below, in the hub's venv): the roster
    imported, each edition with a due date. Returns the due dates and the late-submission policy."""
    env = {**instructor_env(settings), "HUB_DUEDATE": os.environ.get("HUB_DUEDATE", "")}
    r = subprocess.run([shutil.which("runuser") or "/usr/sbin/runuser", "-u", INSTRUCTOR, "--",
                        str(VENV / "bin" / "python"), str(REPO / "hub" / "hub.py"), "gradebook"],
                       cwd=COURSE, env=env, capture_output=True, text=True, umask=0o022, timeout=600)
    found = [line for line in r.stdout.splitlines() if line.startswith("KIT-GRADEBOOK ")]
    if r.returncode != 0 or not found:
        sys.exit(f"the course's gradebook (roster, due dates) could not be set:\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
    return json.loads(found[-1].split(" ", 1)[1])


def gradebook() -> int:
    """Run as the instructor in the course (ensure_gradebook): `nbgrader db student import` of the roster
    (names, emails: formgrader shows them); each edition without a due date gets one (HUB_DUEDATE sets
    every edition's); prints each due date and the course's late-submission policy."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.apps.nbgraderapp import NbGraderApp
    from nbgrader.plugins import LateSubmissionPlugin
    from nbgrader.preprocessors import AssignLatePenalties
    from jupyter_core.application import NoStart
    app = NbGraderApp.instance()   # `nbgrader db student import ROSTER`: updates or creates each row
    app.initialize(["db", "student", "import", str(ROSTER)])
    try:
        app.start()
    except NoStart:   # what a Jupyter app raises once its subcommand has run
        pass
    while app.subapp:   # the import's app: the course's config (its nbgrader_config.py, the kit's in it)
        app = app.subapp
    given = os.environ.get("HUB_DUEDATE", "").strip()
    default = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=DUE_DAYS)).strftime(
        "%Y-%m-%d 23:59:00 UTC")
    duedates = {}
    with Gradebook(app.coursedir.db_url, app.coursedir.course_id) as gb:
        for edition in EDITIONS:
            try:
                due = gb.find_assignment(edition).duedate
            except MissingEntry:
                due = None
            if given or due is None:   # as `nbgrader db assignment add EDITION --duedate=...`
                due = gb.update_or_create_assignment(edition, duedate=given or default).duedate
            duedates[edition] = due.strftime("%Y-%m-%d %H:%M UTC")   # the gradebook keeps UTC
    plugin = AssignLatePenalties(config=app.config).plugin_class
    late = LateSubmissionPlugin(config=app.config).penalty_method if plugin is LateSubmissionPlugin \
        else f"{plugin.__module__}.{plugin.__name__}"
    print("KIT-GRADEBOOK " + json.dumps({"duedates": duedates, "late": late}), flush=True)
    return 0


def announcement(course: dict) -> str:
    """What every page of the hub shows (its login page first): each edition's due date, and what a late
    submission costs under the course's policy (nbgrader's LateSubmissionPlugin: penalty_method)."""
    late = {"none": "it is marked late; no points are taken off / 迟交的作业标记为迟交，不扣分",
            "zero": "it scores 0 / 迟交的作业记 0 分"}.get(
        course["late"], f"{course['late']} sets its penalty / 迟交扣分由 {course['late']} 决定")
    due = "; ".join(f"<b>{html.escape(e)}</b> {html.escape(d)}" for e, d in course["duedates"].items())
    return f"Due / 截止时间: {due}. A submission after its due date: {html.escape(late)}."


def write_jupyter_config():
    """Config every user's server reads (JUPYTER_CONFIG_PATH): the course and its exchange; for
    students, formgrader and the instructor's tools switched off."""
    common, student = STATE / "etc" / "common", STATE / "etc" / "student"
    for d in (common / "labconfig", student / "labconfig"):
        d.mkdir(parents=True, exist_ok=True)
    (common / "labconfig" / "page_config.json").write_text(json.dumps(   # no "Jupyter news?" pop-up: offline
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}, indent=1))
    (common / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(EXCHANGE)!r}\n")
    # the lab's terminal: bash, not a login shell (whose /etc/profile resets PATH, losing the venv: no nbgrader)
    (common / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash"]}}}, indent=1))
    (student / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}}}, indent=1))
    (student / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:create-assignment": True,
                                "@jupyter/nbgrader:course-list": True}}, indent=1))
    for p in [STATE / "etc", *(STATE / "etc").rglob("*")]:   # every user's server reads it, whatever root's umask
        p.chmod(0o755 if p.is_dir() else 0o644)


def close_checkout():
    """What the hub's users may reach of the checkout: build/hub's venv, Python, labs' config and
    exchange, through folders they cannot list (build/ and build/hub/ 0711, the checkout 0751, group
    kit-graders). The rest is closed to them: each entry of the checkout but build/ and .venv/ (the
    hidden graders, solutions/, source/, .git/ ...) belongs to the group kit-graders (the instructor,
    whose formgrader grades with autograder/) and to no one else; so does autograder/graders/, should
    autograder/ be opened; in build/ everything but hub/, in build/hub/ everything but OPEN_IN_HUB
    (passwords, tokens, logs). .venv/ stays readable: a job of a grader run as root drops to a uid of
    its own that must still read the venv's Python."""
    gid = grp.getgrnam(GRADERS).gr_gid

    def close(path: Path, group: bool):
        if path.is_symlink():
            return
        mode = path.stat().st_mode & 0o7770
        if group:
            os.chown(path, -1, gid)
            mode |= 0o050 if path.is_dir() else 0o040
        path.chmod(mode)

    os.chown(REPO, -1, gid)   # the graders list it: Python's import lists each folder on sys.path
    for folder, keep, mode in ((REPO, {"build", ".venv"}, 0o051), (REPO / "build", {"hub"}, 0o011),
                               (STATE, set(OPEN_IN_HUB), 0o011)):
        folder.chmod(folder.stat().st_mode & 0o700 | mode)
        for entry in folder.iterdir():
            if entry.name not in keep:
                close(entry, group=folder == REPO)
    close(REPO / "autograder" / "graders", group=True)


def check_readable():
    """Every user runs build/hub/venv and its Python: each folder above them must let them in."""
    for path in (VENV, LIBS):
        for p in [path, *path.parents]:
            if not os.stat(p).st_mode & 0o001:
                sys.exit(f"{p} is not open to other users (mode {oct(os.stat(p).st_mode & 0o777)}): the hub's "
                         f"users could not run {path}. Clone the repository somewhere they can reach.")


def start() -> int:
    if os.geteuid() != 0:
        sys.exit("make hub runs as root: it creates local users and spawns their servers as them")
    if not (VENV / "bin" / "jupyterhub").exists() or not PROXY.exists():
        sys.exit("build/hub/venv or the proxy is missing: run `make hub`, which installs them")
    if _pid() is not None:
        print(f"the hub is already running: {_url()}")
        return 0
    STATE.mkdir(parents=True, exist_ok=True)
    EXCHANGE.mkdir(exist_ok=True)
    EXCHANGE.chmod(0o1777)   # everyone writes; only owners delete (nbgrader's exchange)
    read_roster()
    passwords = ensure_users()
    ensure_course()
    write_jupyter_config()
    state = STATE / "state"
    state.mkdir(exist_ok=True)
    state.chmod(0o700)
    close_checkout()
    check_readable()
    settings = {"port": int(os.environ.get("HUB_PORT", 8000)), "hub_port": free_port(),
                "proxy_api_port": free_port(), "proxy": str(PROXY), "state": str(state), "venv": str(VENV),
                "instructor": INSTRUCTOR, "students": STUDENTS, "course": str(COURSE), "exchange": str(EXCHANGE),
                "service_token": secrets.token_hex(16), "libs": str(LIBS), "etc": str(STATE / "etc"),
                "formgrader": FORMGRADER, "formgrader_port": free_port(), "formgrader_token": secrets.token_hex(16),
                "graders": f"formgrade-{COURSE_ID}", "repo": str(REPO)}
    course = ensure_gradebook(settings)   # after close_checkout: the instructor reads the roster, as a grader
    settings["announcement"] = announcement(course)
    (STATE / "hub.json").touch(mode=0o600)
    (STATE / "hub.json").chmod(0o600)
    (STATE / "hub.json").write_text(json.dumps(settings, indent=1))
    log = _log("jupyterhub.log")
    # umask 077: what the hub makes is its own; each user's server gets its own umask (jupyterhub_config.py)
    proc = subprocess.Popen([str(VENV / "bin" / "jupyterhub"), "-f", str(REPO / "hub" / "jupyterhub_config.py")],
                            cwd=state, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, umask=0o077,
                            env={**os.environ, "PATH": f"{VENV / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                                 "LD_LIBRARY_PATH": str(LIBS)})
    (STATE / "launcher.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + 300
    while True:
        try:
            urllib.request.urlopen(f"{_url()}/hub/api", timeout=10).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop()
                sys.exit("the hub did not start; its log: build/hub/jupyterhub.log")
            time.sleep(1)
    start_formgrader(settings)
    print(f"JupyterHub for the course: {_url()}/  (loopback only)\n"
          f"  instructor: {INSTRUCTOR}  (formgrader: {_url()}/services/{FORMGRADER}/formgrader)\n"
          f"  students:   {', '.join(STUDENTS)}  (the Assignments tab: Nbgrader menu > Assignments)\n"
          f"  due:        {'; '.join(f'{e} {d}' for e, d in course['duedates'].items())} "
          f"(late: penalty_method {course['late']})\n"
          f"  passwords:  {STATE / 'passwords.txt'}   stop it with `make hub-stop`")
    return 0


def _log(name: str):
    """build/hub/NAME for appending, readable by root alone (a log holds URLs with tokens, users' errors)."""
    path = STATE / name
    log = open(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab")
    path.chmod(0o600)
    return log


def instructor_env(settings: dict) -> dict:
    """What nbgrader needs as the instructor: the hub's venv first on PATH, its Python's libraries, the
    course's exchange and the labs' shared config (the course id)."""
    return {"PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LD_LIBRARY_PATH": str(LIBS),
            "HOME": str(COURSE.parent), "USER": INSTRUCTOR, "LANG": "C.UTF-8",
            "NBGRADER_EXCHANGE": str(EXCHANGE), "JUPYTER_CONFIG_PATH": settings["etc"] + "/common"}


def start_formgrader(settings: dict) -> None:
    """Formgrader, the hub's external service, as the instructor in the course folder (what a managed
    service would be given by the hub, here by hand). It runs as the instructor: stop() ends it."""
    name, port = settings["formgrader"], settings["formgrader_port"]
    prefix = f"/services/{name}/"
    scopes = json.dumps([f"access:services!service={name}"])
    env = {**instructor_env(settings),
           "JUPYTERHUB_API_TOKEN": settings["formgrader_token"], "JUPYTERHUB_CLIENT_ID": f"service-{name}",
           "JUPYTERHUB_API_URL": f"http://127.0.0.1:{settings['hub_port']}/hub/api", "JUPYTERHUB_HOST": "",
           "JUPYTERHUB_BASE_URL": "/", "JUPYTERHUB_SERVICE_PREFIX": prefix, "JUPYTERHUB_SERVICE_NAME": name,
           "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}", "JUPYTERHUB_USER": INSTRUCTOR,
           "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback", "JUPYTERHUB_OAUTH_SCOPES": scopes,
           "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopes, "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]"}
    log = _log("formgrader.log")
    # umask 022, as the instructor's own server: nbgrader copies feedback into the exchange with the mode
    # it was written with, and the students must read it there (the course folder itself is 0700)
    subprocess.Popen([shutil.which("runuser") or "/usr/sbin/runuser", "-u", INSTRUCTOR, "--",
                      str(VENV / "bin" / "jupyterhub-singleuser"),
                      "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--ServerApp.root_dir={COURSE}",
                      "--ServerApp.default_url=/formgrader"],
                     cwd=COURSE.parent, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                     umask=0o022)


def _url() -> str:
    settings = json.loads((STATE / "hub.json").read_text())
    return f"http://127.0.0.1:{settings['port']}"


def _pid() -> int | None:
    try:
        pid = int((STATE / "launcher.pid").read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def _wait_gone(pids, seconds) -> list[int]:
    deadline = time.monotonic() + seconds
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _alive(p)]
        time.sleep(0.2)
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:   # a zombie of ours counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _users_processes() -> list[int]:
    """Processes that run as the hub's users (their servers, kernels, graders): all started by the hub."""
    pids = []
    for user in [INSTRUCTOR] + STUDENTS:
        out = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True).stdout
        pids += [int(p) for p in out.split()]
    return pids


def stop() -> int:
    """SIGTERM to the hub (it stops the users' servers and the proxy), then whatever is left of what
    it started, by process id: its process group, and the processes of the hub's users."""
    pid = _pid()
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        if _wait_gone([pid], 120):
            os.kill(pid, signal.SIGKILL)
    group = [int(p) for p in subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True)
             .stdout.split()] if pid else []
    # the proxy runs in a session of its own; a hub that exits on an error leaves it and its pid file
    try:
        proxy = int((STATE / "state" / "jupyterhub-proxy.pid").read_text())
        if str(PROXY.name) in Path(f"/proc/{proxy}/cmdline").read_text():   # not a pid reused since
            group.append(proxy)
        (STATE / "state" / "jupyterhub-proxy.pid").unlink()
    except (OSError, ValueError):
        pass
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        left = [p for p in group + _users_processes() if _alive(p)]
        for p in left:
            try:
                os.kill(p, sig)
            except OSError:
                pass
        _wait_gone(left, wait)
    left = [p for p in group + _users_processes() if _alive(p)]
    (STATE / "launcher.pid").unlink(missing_ok=True)
    if left:
        print(f"still running: {left}", file=sys.stderr)
        return 1
    print("the hub, its proxy and every user's server are stopped")
    return 0


def reset() -> int:
    """Stop the hub and forget the course: the users (and their homes, the course with them) and the
    exchange. The next start begins from nothing (what the end-to-end test does)."""
    stop()
    for user in [INSTRUCTOR] + STUDENTS:
        if subprocess.run(["id", user], capture_output=True).returncode == 0:
            run("userdel", "--remove", user)
    for path in (EXCHANGE, STATE / "state", STATE / "etc"):
        shutil.rmtree(path, ignore_errors=True)
    print("the hub's users, course and exchange are removed")
    return 0


def status() -> int:
    pid = _pid()
    print(f"running (pid {pid}): {_url()}" if pid else "not running")
    return 0 if pid else 1


if __name__ == "__main__":
    sys.exit({"start": start, "stop": stop, "status": status, "copy-python": copy_python,
              "reset": reset, "gradebook": gradebook}[sys.argv[1] if len(sys.argv) > 1 else "status"]())

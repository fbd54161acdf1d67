"""JupyterHub for one course on this machine (`make hub`; hub/hub.py writes build/hub/hub.json first).

Loopback only. Users are real local accounts (PAM): the instructor and the students that hub.py
created. Each gets a JupyterLab as themselves (LocalProcessSpawner), from build/hub/venv (made from a
copy of .venv's interpreter, which lives under /root where they cannot enter). nbgrader's exchange is
a shared folder (1777). Students' servers have umask 077; their homes are 0700, and the course and the
kit's checkout are closed to them (hub.py). Formgrader runs as a service of the hub (started by hub.py
as the instructor, in the course) and in the instructor's own server; autograde uses the kit's
isolated grader. Students' servers hide formgrader.
"""
import json
import os

from jupyterhub.spawner import LocalProcessSpawner

HERE = os.path.dirname(os.path.abspath(__file__))
settings = json.load(open(os.path.join(HERE, "..", "build", "hub", "hub.json")))
c = get_config()  # noqa: F821

c.JupyterHub.bind_url = f"http://127.0.0.1:{settings['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.JupyterHub.db_url = f"sqlite:///{settings['state']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{settings['state']}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{settings['state']}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True     # `make hub-stop` stops every user's server with the hub
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set([settings["instructor"]] + settings["students"])
c.Authenticator.admin_users = {settings["instructor"]}
# On every page of the hub, the login page first: each edition's due date and the late-submission policy
# (hub.py reads them from the course's gradebook and config at each start).
c.JupyterHub.template_vars = {"announcement": settings.get("announcement", "")}

# A service token for the end-to-end test (admin: it starts servers and makes users' tokens).
c.JupyterHub.services = [{"name": "kit-e2e", "api_token": settings["service_token"]}]
c.JupyterHub.load_roles = [{"name": "admin", "services": ["kit-e2e"]}]

# Formgrader as a service of the hub for the course's graders (group formgrade-<course>: the
# instructor; add other graders there), at /services/<name>/formgrader. hub.py starts it, as the
# instructor, once the hub is up: as a managed service the hub would give it 10 s to answer, and a
# server that loads the kit's course config (torch) takes longer on a loaded machine.
c.JupyterHub.services.append({"name": settings["formgrader"], "url": f"http://127.0.0.1:{settings['formgrader_port']}",
                              "api_token": settings["formgrader_token"], "oauth_no_confirm": True})
c.JupyterHub.load_groups = {settings["graders"]: {"users": [settings["instructor"]]}}
c.JupyterHub.load_roles.append({"name": "graders", "groups": [settings["graders"]],
                                "scopes": [f"access:services!service={settings['formgrader']}"]})


class KitSpawner(LocalProcessSpawner):
    """A local process as the user, with a umask: a student's new files are theirs alone (077; their home
    is 0700 too). The instructor's stay 022 inside their closed course: nbgrader copies the feedback into
    the exchange with the mode it was written with, and each student must read theirs there."""

    def make_preexec_fn(self, name):
        as_user = super().make_preexec_fn(name)
        umask = 0o022 if name == settings["instructor"] else 0o077

        def preexec():
            os.umask(umask)
            as_user()
        return preexec


c.JupyterHub.spawner_class = KitSpawner

c.Spawner.cmd = [os.path.join(settings["venv"], "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300   # torch is imported through the course config: slow on a loaded machine
c.Spawner.http_timeout = 300
c.Spawner.args = ["--ServerApp.ip=127.0.0.1"]


def per_user(spawner):
    """The instructor works in the course folder (formgrader); students in their home, formgrader hidden."""
    name = spawner.user.name
    env = {"PATH": os.path.join(settings["venv"], "bin") + ":/usr/local/bin:/usr/bin:/bin",
           "LD_LIBRARY_PATH": settings["libs"], "NBGRADER_EXCHANGE": settings["exchange"]}
    if name == settings["instructor"]:
        spawner.notebook_dir = settings["course"]
        env["JUPYTER_CONFIG_PATH"] = os.path.join(settings["etc"], "common")
        env["PYTHONPATH"] = settings["repo"]   # `python -m autograder batch ~/course` in their terminal
    else:
        spawner.notebook_dir = "~"
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(os.path.join(settings["etc"], d)
                                                     for d in ("student", "common"))
    spawner.environment.update(env)


c.Spawner.pre_spawn_hook = per_user

"""docker-compose.yml, .env.example, the Dockerfile and the Makefile, checked by reading (no
Docker engine runs in CI)."""

import re

import yaml

from tests.conftest import REPO_ROOT


def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


APP_SERVICES = ("web", "worker", "analysis", "scheduler")
# Run once per `up` and exit; the app services wait for it.
ONE_SHOT_SERVICES = ("migrate",)


def test_compose_runs_the_services_each_long_running_one_with_a_health_check():
    services = compose()["services"]

    assert set(services) == {"postgres", "redis", "proxy", *APP_SERVICES, *ONE_SHOT_SERVICES}
    for name, service in services.items():
        if name in ONE_SHOT_SERVICES:
            assert service["restart"] == "no", name  # exit 0 is done, not a crash
            assert service["healthcheck"] == {"disable": True}, name
        else:
            assert "test" in service["healthcheck"], name
            assert service["restart"] == "unless-stopped", name


def test_app_services_wait_for_healthy_postgres_and_redis_and_the_migrations_and_use_them():
    services = compose()["services"]

    for name in APP_SERVICES:
        service = services[name]
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
        assert service["environment"]["DATABASE_URL"].startswith("postgres://"), name
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:"), name


def test_worker_and_scheduler_run_celery_on_the_project_app():
    services = compose()["services"]

    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["analysis"]["command"][:4] == ["celery", "-A", "config", "worker"]
    # Sharing a host, the analyses yield the CPU to the requests and the recomputes.
    assert services["analysis"]["cpu_shares"] < 1024
    assert services["scheduler"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "gunicorn config.wsgi:application" in services["web"]["command"]


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (REPO_ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'env_(?:bool|list)\("([A-Z_]+)"', settings_source))
    listed = set(re.findall(r"^([A-Z_]+)=", (REPO_ROOT / ".env.example").read_text(), re.M))

    assert read, "the settings read no variable: the pattern is out of date"
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"


def test_app_services_refuse_to_start_without_a_secret_key():
    services = compose()["services"]

    for name in (*APP_SERVICES, *ONE_SHOT_SERVICES):
        assert services[name]["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?"), name


def test_env_example_leaves_the_secret_key_to_be_set_instead_of_offering_one():
    lines = (REPO_ROOT / ".env.example").read_text().splitlines()

    assert "SECRET_KEY=" in lines


def test_the_makefiles_manage_commands_run_as_a_developer_machine():
    """Without DEBUG=1 they would need a SECRET_KEY (the settings refuse to start)."""
    commands = [
        line.strip()
        for line in (REPO_ROOT / "Makefile").read_text().splitlines()
        if "manage.py" in line and not line.startswith("#")
    ]

    assert commands and all(line.startswith("DEBUG=1 ") for line in commands), commands


def test_gunicorn_starts_in_the_repository_and_reads_its_configuration_there():
    from gunicorn.glogging import Logger

    from config.gunicorn import RedactingLogger

    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    commands = [
        dockerfile,
        compose()["services"]["web"]["command"],
        (REPO_ROOT / "bench" / "load_bench.py").read_text(),
    ]
    configuration = {}
    exec((REPO_ROOT / "gunicorn.conf.py").read_text(), configuration)

    assert "WORKDIR /app" in dockerfile and "COPY . ." in dockerfile
    for command in commands:  # no other configuration file named
        gunicorn = command[command.index("gunicorn") :]
        assert not re.search(r"--config|(^|[\s\"'])-c\b", gunicorn), gunicorn
    assert configuration["logger_class"] == "config.gunicorn.RedactingLogger"
    assert issubclass(RedactingLogger, Logger)


def _consumed(command: list[str]) -> set[str]:
    """The queues a `celery worker` command line consumes (all the app's without -Q)."""
    from config.celery import app

    if "-Q" not in command:
        return {queue.name for queue in app.conf.task_queues}
    return set(command[command.index("-Q") + 1].split(","))


def test_compose_gives_the_analyses_a_worker_of_their_own_and_every_queue_a_worker():
    """DESIGN §3: the robustness analyses never delay a results recompute."""
    from config.celery import app

    services = compose()["services"]
    worker, analysis = (
        _consumed(services["worker"]["command"]),
        _consumed(services["analysis"]["command"]),
    )
    routed = {route["queue"] for route in app.conf.task_routes.values()}

    assert worker == {app.conf.task_default_queue}
    assert analysis == {"analysis"}
    assert app.conf.task_routes["evaluations.analyse_robustness"] == {"queue": "analysis"}
    assert routed | {app.conf.task_default_queue} <= worker | analysis
    # Each worker answers its health check under its own node name.
    node = services["analysis"]["command"][services["analysis"]["command"].index("-n") + 1]
    assert node.split("@")[0] + "@$$HOSTNAME" in services["analysis"]["healthcheck"]["test"][1]


def test_the_load_benchmark_runs_the_analyses_on_a_worker_of_their_own():
    source = (REPO_ROOT / "bench" / "load_bench.py").read_text()

    assert '"-Q", "celery"' in source and '"-Q", "analysis"' in source
    assert 'ROBUSTNESS_ANALYSIS="1"' in source


# What the PDF and Word reports load from the system (evaluations/reports): WeasyPrint's
# Pango, PangoFT2 and HarfBuzz subsetting, CairoSVG's cairo, and the Chinese font.
REPORT_SYSTEM_PACKAGES = {
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "libcairo2",
    "fonts-noto-cjk",
}


def dockerfile_apt_packages() -> set[str]:
    return apt_packages((REPO_ROOT / "Dockerfile").read_text())


def apt_packages(dockerfile: str) -> set[str]:
    """The packages of a Dockerfile's `apt-get install` commands (continued lines joined)."""
    text = dockerfile.replace("\\\n", " ")
    packages = set()
    for command in re.findall(r"apt-get install ([^&\n]*)", text):
        packages |= {word for word in command.split() if not word.startswith("-")}
    return packages


def makefile_variable(name: str) -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text()
    match = re.search(rf"^{name} :?= (.*)$", text, re.M)
    assert match, f"the Makefile sets no {name}"
    return set(match[1].split())


def makefile_prerequisites(target: str) -> list[str]:
    match = re.search(rf"^{target}:(.*)$", (REPO_ROOT / "Makefile").read_text(), re.M)
    assert match, f"the Makefile has no {target} target"
    return match[1].split()


def test_the_dockerfile_installs_what_the_reports_need_without_recommends():
    text = (REPO_ROOT / "Dockerfile").read_text().replace("\\\n", " ")

    assert REPORT_SYSTEM_PACKAGES <= dockerfile_apt_packages()
    assert "procps" in dockerfile_apt_packages()  # the health checks' pgrep
    assert all(
        "--no-install-recommends" in command
        for command in re.findall(r"apt-get install [^&\n]*", text)
    )


def test_the_makefile_installs_the_same_packages_before_the_demo_and_the_tests():
    text = (REPO_ROOT / "Makefile").read_text()
    recipe = text[text.index("\nsystem-packages:") :].split("\n\n")[0]

    assert makefile_variable("REPORT_PACKAGES") == REPORT_SYSTEM_PACKAGES
    assert "dpkg -s $(REPORT_PACKAGES)" in recipe  # nothing to do when installed
    assert "apt-get install -y -qq --no-install-recommends" in recipe
    assert "$(REPORT_PACKAGES)" in recipe.split("apt-get install")[1]
    assert "system-packages" in makefile_prerequisites("demo")
    assert "system-packages" in makefile_prerequisites("test")


def test_the_dockerfile_package_parser_reads_a_continued_install_line():
    """The parser above, on a line it must read: a test that the tests can fail."""
    sample = "RUN apt-get update && apt-get install -y --no-install-recommends a \\\n  b c && rm x"

    assert apt_packages(sample) == {"a", "b", "c"}


# --- scaling out: `docker compose up --scale web=2 --scale worker=2` ---------------------
# Compose starts N containers of a scaled service from the same definition: a fixed container
# name or host port would be taken by the first, and whatever each container does at start
# (migrations) would run N times at once.
SCALED_SERVICES = ("web", "worker")


def celery_workers() -> dict[str, list[str]]:
    return {
        name: service["command"]
        for name, service in compose()["services"].items()
        if isinstance(service.get("command"), list) and service["command"][3:4] == ["worker"]
    }


def command_text(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else command


def test_no_service_names_its_container():
    for name, service in compose()["services"].items():
        assert "container_name" not in service, name


def test_only_the_proxy_publishes_a_host_port_and_the_scaled_services_none():
    services = compose()["services"]
    publishing = {name for name, service in services.items() if service.get("ports")}

    assert publishing == {"proxy"}
    assert services["proxy"]["ports"] == ["8000:8000"]
    for name in SCALED_SERVICES:
        assert "ports" not in services[name], name
    assert services["web"]["expose"] == ["8000"]


def test_the_migrations_run_once_before_any_app_container_starts():
    services = compose()["services"]
    migrating = {
        name for name, service in services.items() if "manage.py migrate" in command_text(service)
    }

    assert migrating == {"migrate"}
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_every_worker_has_a_node_name_of_its_own_per_container():
    """%h is the host name, a container's own id: two containers of one service never share
    a node name (Celery's control commands and the health check address nodes by it)."""
    services = compose()["services"]

    assert set(celery_workers()) == {"worker", "analysis"}
    for name, command in celery_workers().items():
        node = command[command.index("-n") + 1]
        assert node.endswith("@%h"), name
        ping = services[name]["healthcheck"]["test"][1]
        assert f"-d {node.split('@')[0]}@$$HOSTNAME" in ping, name


def test_one_scheduler():
    beats = [
        name
        for name, service in compose()["services"].items()
        if isinstance(service.get("command"), list) and "beat" in service["command"]
    ]

    assert beats == ["scheduler"]


def nginx_conf() -> str:
    return (REPO_ROOT / "config" / "nginx.conf").read_text()


def nginx_directives(name: str) -> list[str]:
    """The arguments of every `name ...;` directive of config/nginx.conf, comments left out."""
    text = re.sub(r"#[^\n]*", "", nginx_conf())
    return [match.strip() for match in re.findall(rf"(?m)^\s*{name}\s+([^;]*);", text)]


def test_the_proxy_spreads_requests_over_every_web_container():
    proxy = compose()["services"]["proxy"]
    image, version = proxy["image"].split(":")
    major, minor = (int(part) for part in version.split("-")[0].split(".")[:2])

    assert image == "nginx"
    # `server ... resolve` in an upstream: open-source nginx from 1.27.3 on.
    assert (major, minor) >= (1, 28)
    assert "./config/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}
    # Docker's DNS, asked again while running: a scaled or restarted container is followed.
    assert nginx_directives("resolver")[0].startswith("127.0.0.11 ")
    assert "web:8000 resolve" in nginx_directives("server")
    assert nginx_directives("zone")  # `resolve` needs the upstream in shared memory
    assert nginx_directives("proxy_pass") == ["http://ahpanel_web"]
    assert nginx_directives("listen") == ["8000"]


def test_the_proxy_passes_what_the_settings_read_of_a_request():
    web = compose()["services"]["web"]
    headers = dict(directive.split(None, 1) for directive in nginx_directives("proxy_set_header"))

    # The Host with its port (CSRF compares it with the browser's Origin).
    assert headers["Host"] == "$http_host"
    # Appended, and counted: the lockout keys on the client, not on the proxy.
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert headers["X-Forwarded-Proto"] == "$forwarded_proto"


def test_the_proxy_leaves_timeouts_and_upload_refusals_to_the_app():
    from surveys.spreadsheets.views import MAX_UPLOAD_BYTES

    gunicorn = compose()["services"]["web"]["command"]
    gunicorn_timeout = int(re.search(r"--timeout (\d+)", gunicorn)[1])
    (read_timeout,) = nginx_directives("proxy_read_timeout")
    (body,) = nginx_directives("client_max_body_size")

    assert int(read_timeout.removesuffix("s")) > gunicorn_timeout
    assert int(body.removesuffix("m")) * 1024 * 1024 > MAX_UPLOAD_BYTES
    # A request that reached a container is not sent to another (no POST twice).
    assert "non_idempotent" not in nginx_directives("proxy_next_upstream")[0]

"""System checks: every vendored front-end file a template names can be served.

The hub's charts load Apache ECharts from `vendor/echarts/`, installed from the npm registry
(package.json) rather than committed. An image built without it served a 500 on the hub
dashboard and wall: with the manifest storage, `{% static %}` of a file that was never collected
raises. These checks name the missing file at start-up (runserver, `check`, `collectstatic`, the
image's entry point) instead.

Which files count as vendored is read from the templates themselves: every `{% static %}` under
a prefix of settings.PARKHUB_VENDORED_STATIC. A new page or a new library needs no list kept.
"""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, Warning, register

STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"']+)["']""")
BUILD_HINT = "Build the static set as the image does: scripts/build_static.sh STATIC_ROOT (npm ci, then collectstatic)."


def _template_dirs() -> list[Path]:
    dirs = [Path(directory) for engine in settings.TEMPLATES for directory in engine.get("DIRS", [])]
    # Our own apps only: third-party templates name no vendored file of ours.
    dirs += [
        Path(app.path) / "templates" for app in apps.get_app_configs() if "site-packages" not in app.path
    ]
    return [directory for directory in dirs if directory.is_dir()]


def vendored_assets_in_templates() -> dict[str, list[str]]:
    """Each vendored static file the templates name, with the templates that name it."""
    prefixes = tuple(prefix.rstrip("/") + "/" for prefix in settings.PARKHUB_VENDORED_STATIC)
    found: dict[str, list[str]] = {}
    for directory in _template_dirs():
        for template in sorted(directory.rglob("*.html")):
            for name in STATIC_TAG.findall(template.read_text(encoding="utf-8")):
                if name.startswith(prefixes):
                    found.setdefault(name, []).append(str(template.relative_to(directory)))
    return found


def _collected_manifest() -> dict[str, str] | None:
    """The manifest of the collected static set, or None when the storage keeps none or none was collected."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin) or staticfiles_storage.read_manifest() is None:
        return None
    hashed_files, _manifest_hash = staticfiles_storage.load_manifest()
    return hashed_files


@register(Tags.staticfiles)
def check_vendored_assets(app_configs=None, **kwargs):
    manifest = _collected_manifest()
    errors = []
    for name, templates in sorted(vendored_assets_in_templates().items()):
        used_by = ", ".join(templates)
        if manifest is not None:
            hashed = manifest.get(name)
            if hashed and (Path(settings.STATIC_ROOT) / hashed).is_file():
                continue
            errors.append(
                Error(
                    f"{name} (used by {used_by}) is not in the collected static set at {settings.STATIC_ROOT}: "
                    "those pages would answer with a server error.",
                    hint=BUILD_HINT,
                    id="parkhub.E001",
                )
            )
        elif finders.find(name) is None:
            prefix = next(p for p in settings.PARKHUB_VENDORED_STATIC if name.startswith(p.rstrip("/") + "/"))
            errors.append(
                Error(
                    f"{name} (used by {used_by}) is not installed: {settings.PARKHUB_VENDORED_STATIC[prefix]} "
                    "does not exist, so those pages would answer with a server error.",
                    hint="Install the front-end packages: npm ci --omit=dev (make install), or set "
                    "PARKHUB_NODE_MODULES to a directory where they are installed.",
                    id="parkhub.E001",
                )
            )
    return errors


@register(Tags.staticfiles, deploy=True)
def check_collected_static_set(app_configs=None, **kwargs):
    """Manifest storage serves nothing that was not collected: without a manifest every page fails."""
    if isinstance(staticfiles_storage, ManifestFilesMixin) and staticfiles_storage.read_manifest() is None:
        return [
            Warning(
                f"No collected static set at STATIC_ROOT ({settings.STATIC_ROOT}): with the manifest storage "
                "every page that links a stylesheet or script would answer with a server error.",
                hint=BUILD_HINT + " The image does it at build time.",
                id="parkhub.W002",
            )
        ]
    return []

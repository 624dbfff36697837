"""The command line explains itself: every command and option has help, and the signature
debugger warns where TikTok would refuse what it signs."""

from __future__ import annotations

import subprocess
import sys

import click


def walk(command, path):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, [*path, name])


def test_every_command_and_option_has_help():
    from erp_integrations.cli import load_plugin_commands

    missing = []
    for path, command in walk(load_plugin_commands(), ["erp-integrations"]):
        if not (command.help or "").strip():
            missing.append(" ".join(path))
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip() and param.name not in ("help", "version"):
                missing.append(f"{' '.join(path)} {param.opts[-1]}")
    assert missing == []


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "erp_integrations", *args], capture_output=True, text=True, timeout=60, env=env)


def test_the_tiktok_group_points_at_where_the_sandbox_lives():
    result = run("tiktok-shop", "--help")
    assert result.returncode == 0 and "sandbox tiktok-shop" in result.stdout


def test_signing_a_path_without_its_slash_warns():
    bare = run("tiktok-shop", "sign", "--app-secret", "s3cret", "--path", "orders")
    assert bare.returncode == 0 and "no leading slash" in bare.stderr
    slashed = run("tiktok-shop", "sign", "--app-secret", "s3cret", "--path", "/orders")
    assert slashed.returncode == 0 and "warning" not in slashed.stderr

"""The deployment examples in deploy/: what can be checked without a cluster or a container registry.

The Kubernetes manifests parse and have the fields the example relies on (an
Indexed Job whose completion count is the N of ``--shard K/N``, the volume
mounts the command's paths need); the shell in them and the Slurm scripts are
*run* here, with a stand-in ``nncourse`` that prints its arguments, for every
completion index / array task, and the shards they ask for are parsed with
:func:`nncourse.grading.shards.parse_shard` and must be 1..N exactly once;
the merge step asks for exactly the parts the shards wrote. No image is built.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from nncourse.grading.shards import parse_shard

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _fake_nncourse(tmp_path: Path) -> dict:
    """A PATH whose ``nncourse`` prints one argument per line (and the environment that has it)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "nncourse"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
    fake.chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "LANG": "C.UTF-8"}


def _option(args: list[str], name: str) -> str:
    assert name in args, f"{name} missing from {args}"
    return args[args.index(name) + 1]


def _documents(name: str) -> list[dict]:
    docs = [d for d in yaml.safe_load_all((DEPLOY / "kubernetes" / name).read_text()) if d]
    assert docs, f"{name} holds no document"
    return docs


def _container(job: dict) -> dict:
    containers = job["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def _mounts(job: dict) -> dict[str, dict]:
    """mountPath -> the mount, after checking that every mount names a volume of the pod."""
    pod = job["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {}
    for mount in _container(job)["volumeMounts"]:
        assert mount["name"] in volumes, f"volume {mount['name']!r} is mounted but not defined"
        mounts[mount["mountPath"]] = mount
    return mounts


def _run_k8s_command(container: dict, env: dict, extra: dict) -> list[str]:
    command, args = container["command"], container["args"]
    assert command[:2] == ["/bin/sh", "-c"] and len(args) == 1
    proc = subprocess.run([*command, args[0]], env={**env, **extra}, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_the_indexed_job_grades_every_shard_once_and_the_merge_takes_them_all(tmp_path):
    (job,) = _documents("grade-shards.yaml")
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job"
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    n = spec["completions"]
    assert isinstance(n, int) and n >= 1 and 1 <= spec["parallelism"] <= n
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    container = _container(job)
    assert container["securityContext"].get("privileged") is True or \
        "SYS_ADMIN" in container["securityContext"].get("capabilities", {}).get("add", [])

    env = _fake_nncourse(tmp_path)
    shards, outs = [], []
    for index in range(n):
        args = _run_k8s_command(container, env, {"JOB_COMPLETION_INDEX": str(index)})
        assert args[:2] == ["grade", "/data/submissions"]
        k, n_seen = parse_shard(_option(args, "--shard"))
        assert n_seen == n, "the N of --shard must be the Job's completions"
        assert k == index + 1, "completion index i is shard i+1"
        shards.append(k)
        outs.append(_option(args, "--out"))
        secret = _option(args, "--secret-file")
    assert sorted(shards) == list(range(1, n + 1))
    assert len(set(outs)) == n, "every shard writes its own part"

    mounts = _mounts(job)
    assert mounts["/data/submissions"].get("readOnly") is True, "submissions are never modified"
    assert not mounts["/data/parts"].get("readOnly"), "the parts are written"
    assert all(Path(out).parent == Path("/data/parts") for out in outs)
    assert any(secret.startswith(path + "/") for path in mounts), "the secret file is on a mounted volume"

    (merge,) = _documents("merge.yaml")
    assert merge["kind"] == "Job" and "completionMode" not in merge["spec"]
    args = _run_k8s_command(_container(merge), env, {})
    assert args[0] == "grade" and "--shard" not in args
    parts = args[args.index("--merge") + 1:args.index("--out")]
    assert parts == outs, "the merge takes exactly the parts the shards wrote, each once"
    out = _option(args, "--out")
    merge_mounts = _mounts(merge)
    assert not merge_mounts[str(Path(out))].get("readOnly")
    assert merge_mounts["/data/parts"].get("readOnly") is True
    # Both Jobs use the same claim for the class's storage.
    claims = {v["persistentVolumeClaim"]["claimName"] for d in (job, merge)
              for v in d["spec"]["template"]["spec"]["volumes"] if "persistentVolumeClaim" in v}
    assert len(claims) == 1


def _array_range(script: Path) -> tuple[int, int]:
    match = re.search(r"^#SBATCH --array=(\d+)-(\d+)\s*$", script.read_text(), re.MULTILINE)
    assert match, "the script declares its array range"
    return int(match.group(1)), int(match.group(2))


@pytest.mark.parametrize("first", [None, 1, 7])
def test_the_slurm_array_grades_every_shard_once_and_the_merge_takes_them_all(tmp_path, first):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    script = DEPLOY / "slurm" / "grade-shards.sbatch"
    low, high = _array_range(script)
    if first is not None:  # the same script submitted with another --array range
        low, high = first, first + (high - low)
    count = high - low + 1
    env = {**_fake_nncourse(tmp_path), "NNCOURSE_CLASS": "/shared/class", "SLURM_ARRAY_TASK_MIN": str(low),
           "SLURM_ARRAY_TASK_MAX": str(high), "SLURM_ARRAY_TASK_COUNT": str(count), "SLURM_CPUS_PER_TASK": "2"}
    shards, outs = [], []
    for task in range(low, high + 1):
        proc = subprocess.run(["bash", str(script)], env={**env, "SLURM_ARRAY_TASK_ID": str(task)},
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
        args = proc.stdout.splitlines()
        assert args[:2] == ["grade", "/shared/class/submissions"]
        k, n = parse_shard(_option(args, "--shard"))
        assert n == count
        shards.append(k)
        outs.append(_option(args, "--out"))
        assert _option(args, "--secret-file") == "/shared/class/secret"
        assert _option(args, "--jobs") == "2"
    assert sorted(shards) == list(range(1, count + 1))

    merge = subprocess.run(["bash", str(DEPLOY / "slurm" / "merge.sbatch")],
                           env={**env, "NNCOURSE_SHARDS": str(count)}, capture_output=True, text=True, timeout=30)
    assert merge.returncode == 0, merge.stderr
    args = merge.stdout.splitlines()
    parts = args[args.index("--merge") + 1:args.index("--out")]
    assert sorted(parts) == sorted(outs) and len(set(parts)) == count
    assert _option(args, "--out") == "/shared/class/results"


def test_the_slurm_script_refuses_to_run_outside_an_array(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    env = {**_fake_nncourse(tmp_path), "NNCOURSE_CLASS": "/shared/class"}
    proc = subprocess.run(["bash", str(DEPLOY / "slurm" / "grade-shards.sbatch")], env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0 and "SLURM_ARRAY_TASK_ID" in proc.stderr and not proc.stdout


def test_the_containerfile_installs_what_the_sandbox_needs():
    text = (DEPLOY / "Containerfile").read_text()
    instructions = [line.split()[0] for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert instructions[0] == "FROM" and "ENTRYPOINT" in instructions
    assert re.search(r"apt-get install .*\bbubblewrap\b", text)
    assert "pip install --no-cache-dir /tmp/nncourse-src" in text, "a regular install, not an editable one"
    assert '"nncourse", "grade"' in text
    for script in ("grade-shards.sbatch", "merge.sbatch", "submit.sh"):
        assert os.access(DEPLOY / "slurm" / script, os.X_OK)

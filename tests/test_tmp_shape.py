import pytest, subprocess, os
from fault_world import NETPATROL
pytestmark = pytest.mark.lab

def test_shape(lab_workspace):
    ws = lab_workspace
    p = subprocess.run([*NETPATROL, "backup", "--json", "-w", str(ws)], capture_output=True, text=True, env=os.environ)
    import json; d=json.loads(p.stdout); print({k:v for k,v in d.items() if k!="devices"}); print(open(ws/".netpatrol/runs.jsonl").read()[:1500])
    print(subprocess.run(f"cd {ws}; find backups -path backups/.git -prune -o -type f -print | head -30; find .netpatrol -maxdepth 2 | head -30; git -C backups log --oneline", shell=True, capture_output=True, text=True).stdout)

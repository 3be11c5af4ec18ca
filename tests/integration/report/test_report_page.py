"""The rollout report page as a person sees it: drawn by the rollout_report module through
ansible-playbook, opened in Debian's headless Chromium, its rendered DOM read back and a
screenshot kept at .cache/report/rollout-injected-failure.png."""
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

from tests.support import chromium
from tests.support.rollout_sample import sample

TOP = pathlib.Path(__file__).resolve().parents[3]
SHOT = TOP / ".cache" / "report" / "rollout-injected-failure.png"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    work = tmp_path_factory.mktemp("report")
    src = work / "rollout.json"
    src.write_text(json.dumps(sample()))
    dest = work / "rollout.html"
    playbook = work / "draw.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - nestos.lifecycle.rollout_report:\n        src: %s\n        dest: %s\n      register: drawn\n"
        "    - ansible.builtin.debug:\n        var: drawn.summary\n" % (src, dest))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    playbook_cmd = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    out = subprocess.run([playbook_cmd, "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable, str(playbook)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    dom = chromium.rendered_dom(dest)
    chromium.screenshot(dest, SHOT, 1600, 700)
    return {"dom": dom, "stdout": out.stdout, "html": dest.read_text()}


def test_page_shows_batches_hosts_and_the_rolled_back_host(page):
    dom = page["dom"]
    assert re.findall(r'<h2 id="batch-\d+">([^<]+)</h2>', dom) == [
        "Batch 0 (1 host)", "Batch 1 (2 hosts)", "Batch 2 (1 host)"]
    web2 = re.search(r'<tr class="host" data-host="web-2".*?</tr>', dom, re.S).group(0)
    assert ">rolled back<" in web2
    assert "health failed" in web2 and "rollback changed" in web2
    assert "exited 7" in web2
    db1 = re.search(r'<tr class="host" data-host="db-1".*?</tr>', dom, re.S).group(0)
    assert ">unreachable<" in db1 and "did not come back" in db1
    assert "2 changed, 1 rolled back, 1 unreachable" in dom


def test_screenshot_is_a_real_picture(page):
    data = SHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1600, 700)
    assert len(data) > 20000  # a blank page compresses to a few hundred bytes


def test_module_reports_the_summary(page):
    assert "4 hosts in 3 batches" in page["stdout"]

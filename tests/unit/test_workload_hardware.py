"""Hardware catalog: every row sourced, look-up suggestions, user files validated."""

import pytest

from computegrid.datasets.workload import load_hardware_catalog
from computegrid.errors import DataFileError, InputError
from computegrid.io.hardware_file import read_hardware_file

REQUIRED_IDS = ["v100", "a100-sxm4", "a100-pcie", "h100-sxm", "h100-pcie", "h200", "b200", "mi300x",
                "ascend-910b", "tpu-v2", "tpu-v3", "tpu-v4", "dgx-a100", "dgx-h100", "dgx-b200"]


def test_catalog_has_required_ids_with_sources():
    cat = load_hardware_catalog()
    for hw_id in REQUIRED_IDS:
        spec = cat.get(hw_id)
        assert spec.power_w > 0 and spec.source.strip()
        assert spec.year is not None and 2015 <= spec.year <= 2025
    for hw_id in cat.ids("accelerator"):
        spec = cat.get(hw_id)
        assert spec.peak_tflops_fp16_dense > 0 and spec.memory_gb > 0


def test_published_power_figures():
    cat = load_hardware_catalog()
    expected = {"v100": 300, "a100-sxm4": 400, "a100-pcie": 250, "h100-sxm": 700, "h100-pcie": 350,
                "h200": 700, "b200": 1000, "tpu-v2": 280, "tpu-v3": 450, "dgx-a100": 6500,
                "dgx-h100": 10200, "dgx-b200": 14300}
    for hw_id, w in expected.items():
        assert cat.get(hw_id).power_w == w, hw_id


def test_servers_sum_their_accelerators():
    cat = load_hardware_catalog()
    for hw_id in cat.ids("server"):
        server = cat.get(hw_id)
        acc = cat.get(server.accelerator_id)
        assert server.peak_tflops_fp16_dense == pytest.approx(server.n_accelerators * acc.peak_tflops_fp16_dense)
        assert server.power_w > server.n_accelerators * acc.power_w  # host, fans, network


def test_unknown_id_suggests_closest():
    with pytest.raises(InputError) as exc:
        load_hardware_catalog().get("h100")
    msg = str(exc.value)
    assert msg.startswith("--accelerator: got 'h100'; did you mean h100-sxm, h100-pcie")


def test_server_lookup_rejects_accelerator():
    with pytest.raises(InputError, match="known server ids"):
        load_hardware_catalog().get("h100-sxm", kind="server", field="--server")


def test_user_file_adds_and_replaces(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("id,kind,power_w,peak_tflops_fp16_dense,source\n"
                 "my-npu,accelerator,500,400,vendor sheet\n"
                 "h100-sxm,accelerator,650,989.5,our power cap\n")
    cat = load_hardware_catalog().extended(read_hardware_file(f))
    assert cat.get("my-npu").power_w == 500
    assert cat.get("h100-sxm").power_w == 650
    assert cat.get("v100").power_w == 300


def test_user_yaml(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("hardware:\n  - {id: my-box, kind: server, power_w: 5000, n_accelerators: 4, source: me}\n")
    table = read_hardware_file(f)
    assert table.loc["my-box", "n_accelerators"] == 4


@pytest.mark.parametrize("content,where", [
    ("id,kind,power_w,source\nx1,accelerator,-5,me\n", "row 1, column power_w"),
    ("id,kind,power_w,source\nx1,accelerator,abc,me\n", "row 1, column power_w"),
    ("id,kind,power_w,source\nx1,accelerator,nan,me\n", "row 1, column power_w"),
    ("id,kind,power_w,source\nx1,accelerator,300,me\nX 2,accelerator,300,me\n", "row 2, column id"),
    ("id,kind,power_w,source\nx1,gpu,300,me\n", "row 1, column kind"),
    ("id,kind,power_w,source\nx1,accelerator,300,\n", "row 1, column source"),
    ("id,kind,source\nx1,accelerator,me\n", "column power_w"),
    ("id,kind,power_w,source,colour\nx1,accelerator,300,me,red\n", "column colour"),
    ("id,kind,power_w,source\nx1,accelerator,300,me\nx1,accelerator,300,me\n", "row 2, column id"),
])
def test_malformed_file_names_file_column_row(tmp_path, content, where):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    with pytest.raises(DataFileError) as exc:
        read_hardware_file(f)
    assert str(exc.value).startswith(f"bad.csv: {where}")


def test_missing_and_unparsable_files(tmp_path):
    with pytest.raises(DataFileError, match="existing"):
        read_hardware_file(tmp_path / "none.csv")
    bad = tmp_path / "bad.yaml"
    bad.write_text("hardware: [unclosed\n")
    with pytest.raises(DataFileError, match="bad.yaml"):
        read_hardware_file(bad)

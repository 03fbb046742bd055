import io
from decimal import Decimal

from openpyxl import load_workbook

from giaoban.core.xlsx import table_to_xlsx


def test_it_writes_numbers_as_numbers_under_a_bold_header():
    data = table_to_xlsx(
        [("Thanh Hóa / 2023N9", ["Đơn vị", "Số bài"], [["Xã Ngọc Lặc", 279], ["Cộng", Decimal("56000.5")]])],
        title="Báo cáo 9 tháng",
    )
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "Thanh Hóa - 2023N9"
    assert ws["A1"].value == "Báo cáo 9 tháng"
    assert [c.value for c in ws[3]] == ["Đơn vị", "Số bài"] and ws["A3"].font.bold
    assert ws["B4"].value == 279 and ws["B4"].number_format == "#,##0"
    assert ws["B5"].value == 56000.5
    assert ws.freeze_panes == "A4"

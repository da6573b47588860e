"""File-level messages shared by the spreadsheet readers (``workbook`` and ``calamine_book``)."""

DAMAGED = "Tệp bảng tính bị hỏng hoặc không đọc được. Hãy mở bằng Excel, lưu lại dạng .xlsx rồi tải lên lại."
"""A damaged file or sheet part (read lazily): the clerk re-saves it."""

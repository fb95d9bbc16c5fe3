Attribute VB_Name = "KundenlisteServer"
' Kundenliste: what the team server asks Excel to do and xlwings' Remote module cannot yet.
'
' RunServerPython (module Remote, from the pinned xlwings) applies the server's answer by
' calling Application.Run action("func"), wb, action for each recorded change. xlwings' remote
' engine of the same version records three changes that Remote.bas has no procedure for: many
' fills at once (setRangeColors), a sheet's visibility (setSheetVisibility) and a column width
' (setColumnWidth). They are here, named and read as xlwings/pro/_xlremote.py writes them.
' Source of truth for the VBA in workbook/Kundenliste.xlsm. ASCII only.
Option Explicit

' Fills of a block of cells: per cell "#rrggbb", Null (no fill) or "keep" (left as it is).
Public Sub setRangeColors(wb As Workbook, action As Dictionary)
    Dim Zeilen As Collection, Zeile As Collection, Farbe As Variant
    Dim Ecke As Range, i As Long, j As Long
    Set Zeilen = action("args")(1)
    Set Ecke = wb.Worksheets(action("sheet_position") + 1).Cells(action("start_row") + 1, action("start_column") + 1)
    For i = 1 To Zeilen.Count
        Set Zeile = Zeilen(i)
        For j = 1 To Zeile.Count
            Farbe = Zeile(j)
            If IsNull(Farbe) Then
                Ecke.Offset(i - 1, j - 1).Interior.ColorIndex = xlColorIndexNone
            ElseIf CStr(Farbe) <> "keep" Then
                Ecke.Offset(i - 1, j - 1).Interior.Color = HexToRgb(CStr(Farbe))
            End If
        Next j
    Next i
End Sub

' "Visible" or "Hidden" (the tool's hidden sheets: ID-Register, Pruefmarken).
Public Sub setSheetVisibility(wb As Workbook, action As Dictionary)
    If action("args")(1) = "Hidden" Then
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetHidden
    Else
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetVisible
    End If
End Sub

' The width of the range's columns, in Excel's own unit (characters), as the tool gives it.
Public Sub setColumnWidth(wb As Workbook, action As Dictionary)
    GetRange(wb, action).ColumnWidth = action("args")(1)
End Sub

Attribute VB_Name = "KundenlisteKnoepfe"
' Kundenliste: one macro per button (sheet buttons and the "Kundenliste" ribbon tab).
'
' Source of truth for the VBA in workbook/Kundenliste.xlsm; the build (kundenliste vorlage)
' puts this module into the workbook. Edit here, never in the VBA editor of a built workbook.
' Each macro only hands over to Python; the Python functions (kundenliste_tools.xl) read the
' workbook, do the work and tell the user in German. The source stays ASCII so that every
' Excel (Windows, macOS, any code page) reads it the same; umlauts in messages via ChrW.
Option Explicit

' Button "Pruefen": check every field, mark the cells, write the sheet Pruefbericht.
Public Sub Pruefen()
    On Error GoTo Fehler
    RunPython "import kundenliste_tools.xl as kl; kl.pruefen()"
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "IDs vergeben": fill blank IDs with new random IDs (never reused).
Public Sub IdsVergeben()
    On Error GoTo Fehler
    RunPython "import kundenliste_tools.xl as kl; kl.ids_vergeben()"
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Faelligkeiten": next due date per customer into the column "Faellig am".
Public Sub Faelligkeiten()
    On Error GoTo Fehler
    RunPython "import kundenliste_tools.xl as kl; kl.faelligkeiten()"
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Quartalsexport": the anonymised quarterly file for the analysis.
Public Sub Quartalsexport()
    On Error GoTo Fehler
    RunPython "import kundenliste_tools.xl as kl; kl.quartalsexport()"
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Auskunft": the Art. 15 DSGVO file of each customer selected in the Kundenliste.
Public Sub Auskunft()
    On Error GoTo Fehler
    RunPython "import kundenliste_tools.xl as kl; kl.auskunft()"
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Loeschen": erase the customers selected in the Kundenliste (Art. 17 DSGVO), after asking.
' No is the default answer: an erasure cannot be undone.
Public Sub Loeschen()
    On Error GoTo Fehler
    Dim Frage As String
    Frage = "Die pers" & ChrW(246) & "nlichen Daten der markierten Kundinnen und Kunden werden gel" & _
            ChrW(246) & "scht: Namen, Anschrift, Telefon, E-Mail, Geburtsdatum, weitere Spalten, der " & _
            "Freitext ihrer Eintr" & ChrW(228) & "ge und Erw" & ChrW(228) & "hnungen bei anderen Kunden. " & _
            "ID, Daten, Akquise, Status und Berater bleiben f" & ChrW(252) & "r die Statistik." & _
            vbCrLf & vbCrLf & "Das kann nicht r" & ChrW(252) & "ckg" & ChrW(228) & "ngig gemacht werden. " & _
            "Jetzt l" & ChrW(246) & "schen?"
    If MsgBox(Frage, vbYesNo + vbExclamation + vbDefaultButton2, "Kundenliste: L" & ChrW(246) & "schen") <> vbYes Then
        Exit Sub
    End If
    RunPython "import kundenliste_tools.xl as kl; kl.loeschen()"
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' The ribbon tab (customUI14.xml) calls this for each of its buttons: onAction="KnopfImMenueband".
Public Sub KnopfImMenueband(control As IRibbonControl)
    Select Case control.Id
        Case "klPruefen"
            Pruefen
        Case "klIdsVergeben"
            IdsVergeben
        Case "klFaelligkeiten"
            Faelligkeiten
        Case "klQuartalsexport"
            Quartalsexport
        Case "klAuskunft"
            Auskunft
        Case "klLoeschen"
            Loeschen
    End Select
End Sub

' A German message instead of a VBA error box when Python cannot be reached at all.
Private Sub PythonFehlt(ByVal Beschreibung As String)
    MsgBox "Python konnte nicht gestartet werden." & vbCrLf & vbCrLf & Beschreibung & vbCrLf & vbCrLf & _
           "Bitte im Blatt xlwings.conf den Pfad zum Python-Interpreter pr" & ChrW(252) & "fen " & _
           "(siehe Anleitung: Installation und Fehlerbehebung).", vbExclamation, "Kundenliste"
End Sub

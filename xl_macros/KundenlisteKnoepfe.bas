Attribute VB_Name = "KundenlisteKnoepfe"
' Kundenliste: one macro per button (sheet buttons and the "Kundenliste" ribbon tab).
'
' Source of truth for the VBA in workbook/Kundenliste.xlsm; the build (kundenliste vorlage)
' puts this module into the workbook. Edit here, never in the VBA editor of a built workbook.
' Each macro only hands over to Python; the Python functions (kundenliste_tools.xl) read the
' workbook, do the work and tell the user in German. The source stays ASCII so that every
' Excel (Windows, macOS, any code page) reads it the same; umlauts in messages via ChrW.
' With a team server (Einstellungen: "Server" = its address, "Server-Token" = the team's token)
' every macro calls the server instead (xlwings' RunServerPython, module Remote) and sends only
' the sheets the tool reads and writes (BenoetigteBlaetter); Python on this PC is not needed.
Option Explicit

' Button "Pruefen": check every field, mark the cells, write the sheet Pruefbericht.
Public Sub Pruefen()
    On Error GoTo Fehler
    If ServerAdresse() <> "" Then
        ServerAufrufen "pruefen"
    Else
        RunPython "import kundenliste_tools.xl as kl; kl.pruefen()"
    End If
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "IDs vergeben": fill blank IDs with new random IDs (never reused).
Public Sub IdsVergeben()
    On Error GoTo Fehler
    If ServerAdresse() <> "" Then
        ServerAufrufen "ids_vergeben"
    Else
        RunPython "import kundenliste_tools.xl as kl; kl.ids_vergeben()"
    End If
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Faelligkeiten": next due date per customer into the column "Faellig am".
Public Sub Faelligkeiten()
    On Error GoTo Fehler
    If ServerAdresse() <> "" Then
        ServerAufrufen "faelligkeiten"
    Else
        RunPython "import kundenliste_tools.xl as kl; kl.faelligkeiten()"
    End If
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Quartalsexport": the anonymised quarterly file for the analysis.
Public Sub Quartalsexport()
    On Error GoTo Fehler
    If ServerAdresse() <> "" Then
        ServerAufrufen "quartalsexport"
    Else
        RunPython "import kundenliste_tools.xl as kl; kl.quartalsexport()"
    End If
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Einladungen": next week's invitations per counsellor into the sheet "Einladungen".
Public Sub Einladungen()
    On Error GoTo Fehler
    If ServerAdresse() <> "" Then
        ServerAufrufen "einladungen"
    Else
        RunPython "import kundenliste_tools.xl as kl; kl.einladungen()"
    End If
    Exit Sub
Fehler:
    PythonFehlt Err.Description
End Sub

' Button "Auskunft": the Art. 15 DSGVO file of each customer selected in the Kundenliste.
Public Sub Auskunft()
    On Error GoTo Fehler
    If ServerAdresse() <> "" Then
        ' The Auskunft file holds the customer's personal data; the team server keeps none, so it
        ' is written where Python runs on this PC (kundenliste auskunft), never on the server.
        MsgBox "Die Auskunft-Datei enth" & ChrW(228) & "lt pers" & ChrW(246) & "nliche Daten und wird " & _
               "deshalb nicht auf dem Team-Server erstellt. Bitte an einem PC mit Python den Befehl " & _
               "kundenliste auskunft MAPPE ID verwenden oder die Teamleitung fragen.", vbInformation, "Kundenliste"
        Exit Sub
    End If
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
    If ServerAdresse() <> "" Then
        ServerAufrufen "loeschen"
    Else
        RunPython "import kundenliste_tools.xl as kl; kl.loeschen()"
    End If
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
        Case "klEinladungen"
            Einladungen
        Case "klAuskunft"
            Auskunft
        Case "klLoeschen"
            Loeschen
    End Select
End Sub

' Workbook_Open. On Windows with a local Python: start it now (xlwings' UDF server), so that the
' first formula and the first save do not wait for it, and recalculate the formulas once (Excel
' does not recalculate them on opening). Never an error box: when Python is missing, a German
' hint on the status bar. Nothing to do with a team server, or on the Mac (no formulas there,
' and RunPython starts Python for each call anyway).
Public Sub BeimOeffnen()
    On Error GoTo Fehlt
    If ServerAdresse() <> "" Then Exit Sub
    If Not AufWindows() Then Exit Sub
    If Not PythonDa() Then GoTo Fehlt
    RunPython "import kundenliste_tools.xl as kl; kl.beim_oeffnen()"
    Application.Calculate
    Exit Sub
Fehlt:
    Application.StatusBar = "Kundenliste: Python mit kundenliste-tools wurde nicht gefunden. Die Daten lassen " & _
        "sich bearbeiten; f" & ChrW(252) & "r Pr" & ChrW(252) & "fen, IDs, F" & ChrW(228) & "lligkeiten und " & _
        "Export bitte kundenliste-tools installieren und ""kundenliste einrichten"" ausf" & ChrW(252) & _
        "hren (siehe Anleitung)."
End Sub

' Strg+S while this workbook is active (ThisWorkbook.Workbook_Activate): a save the user starts,
' so it gets the full check even with AutoSave on.
Public Sub StrgS()
    If ActiveWorkbook Is ThisWorkbook Then
        ThisWorkbook.SpeichernVonHand
    ElseIf Not ActiveWorkbook Is Nothing Then
        If ActiveWorkbook.Path <> "" Then ActiveWorkbook.Save
    End If
End Sub

' The team server's address from the Einstellungen, without a trailing slash; "" = local Python.
Public Function ServerAdresse() As String
    Dim Adresse As String
    Adresse = ThisWorkbook.Einstellung("Server")
    Do While Right$(Adresse, 1) = "/"
        Adresse = Left$(Adresse, Len(Adresse) - 1)
    Loop
    ServerAdresse = Adresse
End Function

' Run an entry point of kundenliste_tools.xl on the team server (an xlwings Server custom script
' of the same name). The server answers with the changes, which xlwings' Remote module applies.
Public Sub ServerAufrufen(ByVal Skript As String)
    RunServerPython ServerAdresse() & "/xlwings/custom-scripts-call/" & Skript, _
        auth:=ThisWorkbook.Einstellung("Server-Token"), include:=BenoetigteBlaetter()
End Sub

' The sheets the tool reads or rewrites, comma-separated (RunServerPython sends only their cells):
' the record sheets (also with a suffix such as "Kundenliste 2025"), the auxiliary sheets and the
' tool's own lists. Every other sheet goes out with its name only.
Public Function BenoetigteBlaetter() As String
    Dim Blatt As Worksheet, Name As String, Muster As Variant, Ergebnis As String
    For Each Blatt In ThisWorkbook.Worksheets
        Name = Normalisiert(Blatt.Name)
        For Each Muster In Array("kundenliste", "kunden", "kundenuebersicht", "kundendoku", "kundenduku", _
                "kundendokumentation", "doku", "dokumentation", "beratungsverlauf", "listen", _
                "einstellungen", "berater", "regelwerk", "idregister", "pruefmarken", "faelligkeiten", _
                "beratungsgespraeche", "einladungen", "loeschprotokoll")
            If Left$(Name, Len(Muster)) = Muster Then
                If Ergebnis <> "" Then Ergebnis = Ergebnis & ","
                Ergebnis = Ergebnis & Blatt.Name
                Exit For
            End If
        Next Muster
    Next Blatt
    BenoetigteBlaetter = Ergebnis
End Function

Private Function AufWindows() As Boolean
    #If Mac Then
        AufWindows = False
    #Else
        AufWindows = True
    #End If
End Function

' Does the Python of xlwings.conf (Interpreter_Win) exist? Checked before RunPython, because
' xlwings shows its own English error box when it does not. Unknown: assume yes.
Private Function PythonDa() As Boolean
    Dim Pfad As String
    PythonDa = True
    On Error GoTo Ende
    Pfad = Ausgeschrieben(KonfigWert("Interpreter_Win"))
    If Pfad = "" Then Exit Function
    PythonDa = (Dir(Pfad) <> "")
Ende:
End Function

' A value of the sheet xlwings.conf (keys in column A from A1 down, as xlwings reads them).
Private Function KonfigWert(ByVal Schluessel As String) As String
    Dim Blatt As Worksheet, Zeile As Long
    KonfigWert = ""
    On Error GoTo Ende
    Set Blatt = ThisWorkbook.Worksheets("xlwings.conf")
    For Zeile = 1 To 100
        If CStr(Blatt.Cells(Zeile, 1).Value) = "" Then Exit Function
        If StrComp(CStr(Blatt.Cells(Zeile, 1).Value), Schluessel, vbTextCompare) = 0 Then
            KonfigWert = CStr(Blatt.Cells(Zeile, 2).Value)
            Exit Function
        End If
    Next Zeile
Ende:
End Function

' %USERPROFILE% and the like replaced by their values, as xlwings does.
Private Function Ausgeschrieben(ByVal Pfad As String) As String
    Dim Anfang As Long, Ende As Long, Variable As String
    Anfang = InStr(1, Pfad, "%")
    Do While Anfang > 0
        Ende = InStr(Anfang + 1, Pfad, "%")
        If Ende = 0 Then Exit Do
        Variable = Mid$(Pfad, Anfang + 1, Ende - Anfang - 1)
        Pfad = Left$(Pfad, Anfang - 1) & Environ(Variable) & Mid$(Pfad, Ende + 1)
        Anfang = InStr(Anfang, Pfad, "%")
    Loop
    Ausgeschrieben = Pfad
End Function

Private Function Normalisiert(ByVal Text As String) As String
    Dim i As Long, Zeichen As String, Ergebnis As String
    Text = LCase$(Trim$(Text))
    Text = Replace(Text, ChrW(228), "ae")
    Text = Replace(Text, ChrW(246), "oe")
    Text = Replace(Text, ChrW(252), "ue")
    Text = Replace(Text, ChrW(223), "ss")
    For i = 1 To Len(Text)
        Zeichen = Mid$(Text, i, 1)
        If (Zeichen >= "a" And Zeichen <= "z") Or (Zeichen >= "0" And Zeichen <= "9") Then
            Ergebnis = Ergebnis & Zeichen
        End If
    Next i
    Normalisiert = Ergebnis
End Function

' A German message instead of a VBA error box when Python cannot be reached at all.
Private Sub PythonFehlt(ByVal Beschreibung As String)
    If ServerAdresse() <> "" Then
        MsgBox "Der Kundenliste-Server " & ServerAdresse() & " ist nicht erreichbar." & vbCrLf & vbCrLf & _
               Beschreibung & vbCrLf & vbCrLf & "Bitte die Einstellungen Server und Server-Token pr" & ChrW(252) & _
               "fen oder die Teamleitung fragen.", vbExclamation, "Kundenliste"
        Exit Sub
    End If
    MsgBox "Python konnte nicht gestartet werden." & vbCrLf & vbCrLf & Beschreibung & vbCrLf & vbCrLf & _
           "Bitte im Blatt xlwings.conf den Pfad zum Python-Interpreter pr" & ChrW(252) & "fen " & _
           "(siehe Anleitung: Installation und Fehlerbehebung).", vbExclamation, "Kundenliste"
End Sub

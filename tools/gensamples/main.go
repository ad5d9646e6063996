// Command gensamples writes samples/roster.xlsx, an Excel roster with the
// traps real exports have: a title row above the header, date cells,
// boolean cells, a 19-digit employee id Excel stored as a number, a phone
// stored as a number, a hidden sheet and a People Sets sheet.
//
//	go run ./tools/gensamples
package main

import (
	"log"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Notes")
	f.SetCellValue("Notes", "A1", "Hidden working sheet: wpimport must skip it")
	const sh = "Employees"
	f.NewSheet(sh)
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellValue(sh, "A1", "Acme roster export - Q4 2026")
	header := []any{"Full Name", "Email", "Employee ID", "Job Title", "Department", "Manager Email", "Locale", "Login Method", "Start Date", "Phone Number", "Frontline", "Badge Colour"}
	f.SetSheetRow(sh, "A3", &header)
	rows := [][]any{
		{"Ada Lovelace", "ada.lovelace@acme.example", "E0001", "Chief Executive Officer", "Executive", "", "en_GB", "sso", date(2019, 1, 7), "+44 20 7946 0001", false, "gold"},
		{"Grace Hopper", "grace.hopper@acme.example", "E0002", "VP Engineering", "Engineering", "ada.lovelace@acme.example", "en_US", "sso", date(2019, 3, 1), "+1 212 555 0102", false, "blue"},
		{"Alan Turing", "alan.turing@acme.example", "E0003", "Engineering Manager", "Engineering", "grace.hopper@acme.example", "en_GB", "sso", date(2020, 2, 17), "+44 161 496 0003", false, "blue"},
		{"Katherine Johnson", "katherine.johnson@acme.example", 1234567890123456789.0, "Software Engineer", "Engineering", "alan.turing@acme.example", "en_US", "sso", date(2021, 6, 1), 17575550104.0, false, "blue"},
		{"Mary Jackson", "", "E0010", "Store Associate", "Retail", "", "en_US", "password", date(2023, 4, 3), "", true, "green"},
		{"Edsger Dijkstra", "edsger.dijkstra@acme.example", 5, "Software Engineer", "Engineering", "alan.turing@acme.example", "nl_NL", "sso", "13/09/2021", "+31 20 555 0105", false, "blue"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+4)
		f.SetSheetRow(sh, cell, &r)
		dc, _ := excelize.CoordinatesToCellName(9, i+4)
		f.SetCellStyle(sh, dc, dc, dateStyle)
	}
	f.NewSheet("People Sets")
	sets := [][]any{
		{"people_set", "field", "operator", "values"},
		{"Engineering", "DEPARTMENT", "IS", "Engineering"},
		{"Reports of Grace", "MANAGER", "IS", "grace.hopper@acme.example"},
	}
	for i, r := range sets {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("People Sets", cell, &r)
	}
	idx, _ := f.GetSheetIndex(sh)
	f.SetActiveSheet(idx)
	if err := f.SetSheetVisible("Notes", false); err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("samples/roster.xlsx"); err != nil {
		log.Fatal(err)
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

package parse

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
)

// checkWorkbook scans every worksheet and the shared strings of an xlsx
// (xmlScan) before excelize opens it: excelize would unpack them all, and
// stops reading a damaged sheet without a word. A workbook whose parts do
// not read to their end, or that is past Excel's limits, is refused here,
// in the time it takes to reach the problem.
func checkWorkbook(file string) error {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil // excelize says what is wrong with the archive
	}
	defer zr.Close()
	names := sheetNames(&zr.Reader)
	for _, f := range zr.File {
		part := f.Name
		isSheet := strings.HasPrefix(part, "xl/worksheets/") && strings.HasSuffix(part, ".xml")
		if !isSheet && !strings.EqualFold(part, "xl/sharedStrings.xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fileErr(file, err, "the workbook is damaged (%v); open it in Excel and save it again", err)
		}
		err = scanXML(rc, MaxSheetCols)
		rc.Close()
		if err == nil {
			continue
		}
		what := "the workbook's shared strings"
		if isSheet {
			what = "sheet " + part
			if n := names[part]; n != "" {
				what = fmt.Sprintf("sheet %q", n)
			}
		}
		if errors.Is(err, errLimit) {
			return fileErr(file, err, "%s is past Excel's own limits: %v; nothing was read: split the roster", what, err)
		}
		var se *xmlScanError
		if errors.As(err, &se) {
			return fileErr(file, err, "%s cannot be read to its end: reading stopped at %v. Nothing was used: "+
				"open the workbook in Excel and save it again, or export the sheet as CSV UTF-8", what, err)
		}
		return fileErr(file, err, "the workbook is damaged (%v); open it in Excel and save it again", err)
	}
	return nil
}

// sheetNames maps worksheet parts to the names the workbook gives them.
func sheetNames(zr *zip.Reader) map[string]string {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if readSmallXML(zr, "xl/workbook.xml", &wb) != nil || readSmallXML(zr, "xl/_rels/workbook.xml.rels", &rels) != nil {
		return nil
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
	}
	out := map[string]string{}
	for _, s := range wb.Sheets {
		out[target[s.RID]] = s.Name
	}
	return out
}

// readSmallXML decodes a part of at most 16 MiB.
func readSmallXML(zr *zip.Reader, name string, v any) error {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v)
	}
	return errors.New("no " + name)
}

// maxRosterCols is the most columns a roster may have: its outputs add
// their own columns beside the original ones and must fit in a sheet.
const maxRosterCols = MaxSheetCols - roster.OutputColumns

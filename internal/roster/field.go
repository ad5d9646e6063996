package roster

import (
	"strings"
	"unicode"
)

// Field is a canonical roster field. The names are the Graph API's own.
type Field string

// The canonical fields. Name, Email and ExternalID identify a person;
// FirstName and LastName only serve to build Name.
const (
	Name         Field = "name"
	FirstName    Field = "first_name"
	LastName     Field = "last_name"
	Email        Field = "email"
	ExternalID   Field = "external_id"
	ID           Field = "id"
	Title        Field = "title"
	Department   Field = "department"
	Organization Field = "organization"
	Division     Field = "division"
	CostCenter   Field = "cost_center"
	Manager      Field = "manager"
	WorkLocale   Field = "work_locale"
	AuthMethod   Field = "auth_method"
	Active       Field = "active"
	Invited      Field = "invited"
	IsFrontline  Field = "is_frontline"
	HasAccess    Field = "has_access"
	StartDate    Field = "start_date"
	Phone        Field = "phone"
	PhoneType    Field = "phone_type"
	MobilePhone  Field = "mobile_phone"
	WorkPhone    Field = "work_phone"
	Location     Field = "location"
	PictureURL   Field = "picture_url"
	PictureFile  Field = "picture_file"
	NewEmail     Field = "new_email"
	// Groups names the groups (SCIM) a person belongs to, separated by ";".
	Groups Field = "groups"
	// UserName is a SCIM service's userName where it is not the email.
	UserName Field = "user_name"
)

// Fields lists every canonical field in the order outputs show them.
var Fields = []Field{
	Name, FirstName, LastName, Email, ExternalID, ID, Title, Department, Organization,
	Division, CostCenter, Manager, WorkLocale, AuthMethod, Active, Invited, IsFrontline,
	HasAccess, StartDate, Phone, PhoneType, MobilePhone, WorkPhone, Location, PictureURL,
	PictureFile, NewEmail, Groups,
}

// aliases maps a normalized header (see NormalizeHeader) to its field. It holds
// the Graph names, the Admin Panel import template and export headers, Meta's
// SCIM sample header and common HR spellings.
var aliases = map[string]Field{
	"name": Name, "fullname": Name, "displayname": Name, "employeename": Name,
	"firstname": FirstName, "givenname": FirstName, "forename": FirstName,
	"lastname": LastName, "surname": LastName, "familyname": LastName,
	"email": Email, "emailaddress": Email, "workemail": Email, "mail": Email, "login": Email,
	"externalid": ExternalID, "employeeid": ExternalID, "employeenumber": ExternalID,
	"employeeno": ExternalID, "empid": ExternalID, "staffid": ExternalID, "personnelnumber": ExternalID,
	"id": ID, "userid": ID, "accountid": ID, "workplaceid": ID,
	"title": Title, "jobtitle": Title, "position": Title,
	"department": Department, "dept": Department,
	"organization": Organization, "organisation": Organization, "company": Organization,
	"division":   Division,
	"costcenter": CostCenter, "costcentre": CostCenter,
	"manager": Manager, "manageremail": Manager, "manageremployeeid": Manager,
	"managerexternalid": Manager, "managerid": Manager, "manageruserid": Manager,
	"worklocale": WorkLocale, "locale": WorkLocale, "language": WorkLocale,
	"authmethod": AuthMethod, "loginmethod": AuthMethod, "authenticationmethod": AuthMethod,
	"active":      Active,
	"invited":     Invited,
	"isfrontline": IsFrontline, "frontline": IsFrontline,
	"hasaccess": HasAccess, "frontlineaccess": HasAccess,
	"startdate": StartDate, "hiredate": StartDate,
	"phone": Phone, "phonenumber": Phone, "primaryphone": Phone,
	"phonetype":   PhoneType,
	"mobilephone": MobilePhone, "mobile": MobilePhone, "mobilenumber": MobilePhone, "cellphone": MobilePhone,
	"workphone": WorkPhone, "officephone": WorkPhone,
	"location": Location, "worklocation": Location, "office": Location,
	"pictureurl": PictureURL, "photourl": PictureURL, "profilepictureurl": PictureURL,
	"picturefile": PictureFile, "photofile": PictureFile, "profilepicturefile": PictureFile,
	"newemail": NewEmail,
	"groups":   Groups, "groupnames": Groups, "scimgroups": Groups,
}

// NormalizeHeader folds a header for alias matching: lower case, with spaces,
// underscores, dashes, dots and a UTF-8 BOM removed.
func NormalizeHeader(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	for _, r := range h {
		if !droppedInHeader(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// droppedInHeader reports the runes NormalizeHeader leaves out.
func droppedInHeader(r rune) bool {
	return r == '\ufeff' || r == '_' || r == '-' || r == '.' || r == '*' || unicode.IsSpace(r)
}

// Lookup returns the field a header names, using the built-in aliases.
func Lookup(header string) (Field, bool) {
	f, ok := aliases[NormalizeHeader(header)]
	return f, ok
}

// IsField reports whether f is one of the canonical Fields.
func IsField(f Field) bool {
	for _, g := range Fields {
		if g == f {
			return true
		}
	}
	return false
}

package execute

import (
	"context"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Client is what execute needs of the API client.
type Client interface {
	CreateAccount(ctx context.Context, f workplace.Fields) (string, error)
	UpdateAccount(ctx context.Context, id string, f workplace.Fields) error
	SetActive(ctx context.Context, id string, active bool) error
	AddPhone(ctx context.Context, id, number, typ string, primary bool) error
	SetPictureURL(ctx context.Context, id, url string) error
	UploadPicture(ctx context.Context, id, name string, data []byte) error
	DeleteAccount(ctx context.Context, id string) error
	RemoveProfileInformation(ctx context.Context, id string) error
	GetMember(ctx context.Context, idOrEmail string, fields []string) (*workplace.Account, error)
	LookupExternalIDs(ctx context.Context, ids, fields []string, chunk int) ([]workplace.Account, error)
	GetMany(ctx context.Context, ids, fields []string) (map[string]*workplace.Account, error)
	CreatePeopleSet(ctx context.Context, name string, conds []workplace.Condition) (string, error)
	UpdatePeopleSet(ctx context.Context, id, name string, conds []workplace.Condition) error
	DeletePeopleSet(ctx context.Context, id string) error
	FindPeopleSet(ctx context.Context, name string) (*workplace.PeopleSet, error)
	Usage() int
}

var _ Client = (*workplace.Client)(nil)

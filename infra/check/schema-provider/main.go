// Command schema-provider is a stand-in for the hashicorp/google and hashicorp/archive providers that serves
// their real schema (providers-schema.json.gz, the output of `tofu providers schema -json` with the real
// providers). The real providers' source is not on the Go proxy, so CI cannot build them; with this provider
// `tofu validate` still checks every argument, block, type and reference against the real schema, and
// `tofu test` can plan and mock-apply.
//
// One binary serves either provider: the name it is installed under (terraform-provider-<name>_v<version>)
// selects which, or DSC_SCHEMA_PROVIDER overrides it.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The build script copies the schema file next to this source before building (go:embed cannot reach ../).
//
//go:embed providers-schema.json.gz
var schemaGz []byte

type jsonSchemaFile struct {
	ProviderSchemas map[string]jsonProviderSchema `json:"provider_schemas"`
}

type jsonProviderSchema struct {
	Provider          jsonSchema            `json:"provider"`
	ResourceSchemas   map[string]jsonSchema `json:"resource_schemas"`
	DataSourceSchemas map[string]jsonSchema `json:"data_source_schemas"`
}

type jsonSchema struct {
	Version int64     `json:"version"`
	Block   jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes  map[string]jsonAttribute   `json:"attributes"`
	BlockTypes  map[string]jsonNestedBlock `json:"block_types"`
	Description string                     `json:"description"`
	Deprecated  bool                       `json:"deprecated"`
}

type jsonAttribute struct {
	Type        json.RawMessage `json:"type"`
	Description string          `json:"description"`
	Required    bool            `json:"required"`
	Optional    bool            `json:"optional"`
	Computed    bool            `json:"computed"`
	Sensitive   bool            `json:"sensitive"`
	Deprecated  bool            `json:"deprecated"`
	WriteOnly   bool            `json:"write_only"`
}

type jsonNestedBlock struct {
	NestingMode string    `json:"nesting_mode"`
	Block       jsonBlock `json:"block"`
	MinItems    int64     `json:"min_items"`
	MaxItems    int64     `json:"max_items"`
}

var nestingModes = map[string]tfprotov5.SchemaNestedBlockNestingMode{
	"single": tfprotov5.SchemaNestedBlockNestingModeSingle,
	"list":   tfprotov5.SchemaNestedBlockNestingModeList,
	"set":    tfprotov5.SchemaNestedBlockNestingModeSet,
	"map":    tfprotov5.SchemaNestedBlockNestingModeMap,
	"group":  tfprotov5.SchemaNestedBlockNestingModeGroup,
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func convertBlock(b jsonBlock) (*tfprotov5.SchemaBlock, error) {
	out := &tfprotov5.SchemaBlock{Description: b.Description, Deprecated: b.Deprecated}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		if len(a.Type) == 0 {
			return nil, fmt.Errorf("attribute %q has no type (nested attributes are a protocol 6 feature)", name)
		}
		typ, err := tftypes.ParseJSONType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{
			Name: name, Type: typ, Description: a.Description, Required: a.Required, Optional: a.Optional,
			Computed: a.Computed, Sensitive: a.Sensitive, Deprecated: a.Deprecated, WriteOnly: a.WriteOnly,
		})
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		nb := b.BlockTypes[name]
		mode, ok := nestingModes[nb.NestingMode]
		if !ok {
			return nil, fmt.Errorf("block %q: unknown nesting mode %q", name, nb.NestingMode)
		}
		inner, err := convertBlock(nb.Block)
		if err != nil {
			return nil, fmt.Errorf("block %q: %w", name, err)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{
			TypeName: name, Block: inner, Nesting: mode, MinItems: nb.MinItems, MaxItems: nb.MaxItems,
		})
	}
	return out, nil
}

func convertSchema(s jsonSchema) (*tfprotov5.Schema, error) {
	block, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfprotov5.Schema{Version: s.Version, Block: block}, nil
}

type provider struct {
	schema      *tfprotov5.GetProviderSchemaResponse
	resources   map[string]*tfprotov5.Schema
	dataSources map[string]*tfprotov5.Schema
}

func loadProvider(name string) (*provider, error) {
	zr, err := gzip.NewReader(bytes.NewReader(schemaGz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var file jsonSchemaFile
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, err
	}
	var ps *jsonProviderSchema
	for addr, s := range file.ProviderSchemas {
		if strings.HasSuffix(addr, "/"+name) {
			s := s
			ps = &s
		}
	}
	if ps == nil {
		return nil, fmt.Errorf("the schema file has no provider named %q", name)
	}
	p := &provider{resources: map[string]*tfprotov5.Schema{}, dataSources: map[string]*tfprotov5.Schema{}}
	providerSchema, err := convertSchema(ps.Provider)
	if err != nil {
		return nil, fmt.Errorf("provider schema: %w", err)
	}
	for typeName, s := range ps.ResourceSchemas {
		if p.resources[typeName], err = convertSchema(s); err != nil {
			return nil, fmt.Errorf("resource %s: %w", typeName, err)
		}
	}
	for typeName, s := range ps.DataSourceSchemas {
		if p.dataSources[typeName], err = convertSchema(s); err != nil {
			return nil, fmt.Errorf("data source %s: %w", typeName, err)
		}
	}
	p.schema = &tfprotov5.GetProviderSchemaResponse{
		ServerCapabilities: &tfprotov5.ServerCapabilities{PlanDestroy: true},
		Provider:           providerSchema,
		ResourceSchemas:    p.resources,
		DataSourceSchemas:  p.dataSources,
	}
	return p, nil
}

// markComputedUnknown turns every computed attribute the configuration left null into unknown, as the real
// provider's plan does ("known after apply"); nested blocks are walked with their schema.
func markComputedUnknown(block *tfprotov5.SchemaBlock, v tftypes.Value) (tftypes.Value, error) {
	if v.IsNull() || !v.IsKnown() {
		return v, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return v, err
	}
	for _, a := range block.Attributes {
		if cur, ok := attrs[a.Name]; ok && a.Computed && cur.IsNull() {
			attrs[a.Name] = tftypes.NewValue(cur.Type(), tftypes.UnknownValue)
		}
	}
	for _, nb := range block.BlockTypes {
		cur, ok := attrs[nb.TypeName]
		if !ok || cur.IsNull() || !cur.IsKnown() {
			continue
		}
		switch nb.Nesting {
		case tfprotov5.SchemaNestedBlockNestingModeSingle, tfprotov5.SchemaNestedBlockNestingModeGroup:
			nv, err := markComputedUnknown(nb.Block, cur)
			if err != nil {
				return v, err
			}
			attrs[nb.TypeName] = nv
		case tfprotov5.SchemaNestedBlockNestingModeMap:
			var elems map[string]tftypes.Value
			if err := cur.As(&elems); err != nil {
				return v, err
			}
			for k, e := range elems {
				var err error
				if elems[k], err = markComputedUnknown(nb.Block, e); err != nil {
					return v, err
				}
			}
			attrs[nb.TypeName] = tftypes.NewValue(cur.Type(), elems)
		default: // list and set; a set holding unknowns is still a valid planned value
			var elems []tftypes.Value
			if err := cur.As(&elems); err != nil {
				return v, err
			}
			for i, e := range elems {
				var err error
				if elems[i], err = markComputedUnknown(nb.Block, e); err != nil {
					return v, err
				}
			}
			attrs[nb.TypeName] = tftypes.NewValue(cur.Type(), elems)
		}
	}
	return tftypes.NewValue(v.Type(), attrs), nil
}

// fillUnknown replaces what apply would learn from Google with placeholder values of the right type.
func fillUnknown(v tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(v, func(path *tftypes.AttributePath, cur tftypes.Value) (tftypes.Value, error) {
		if cur.IsKnown() {
			return cur, nil
		}
		name := "value"
		if steps := path.Steps(); len(steps) > 0 {
			if an, ok := steps[len(steps)-1].(tftypes.AttributeName); ok {
				name = string(an)
			}
		}
		typ := cur.Type()
		switch {
		case typ.Is(tftypes.String):
			return tftypes.NewValue(typ, "mock-"+name), nil
		case typ.Is(tftypes.Number):
			return tftypes.NewValue(typ, 0), nil
		case typ.Is(tftypes.Bool):
			return tftypes.NewValue(typ, false), nil
		default:
			return tftypes.NewValue(typ, nil), nil
		}
	})
}

func dynamic(typ tftypes.Type, v tftypes.Value) (*tfprotov5.DynamicValue, []*tfprotov5.Diagnostic) {
	dv, err := tfprotov5.NewDynamicValue(typ, v)
	if err != nil {
		return nil, errorDiag(err)
	}
	return &dv, nil
}

func errorDiag(err error) []*tfprotov5.Diagnostic {
	return []*tfprotov5.Diagnostic{{Severity: tfprotov5.DiagnosticSeverityError, Summary: "schema-provider", Detail: err.Error()}}
}

func (p *provider) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	resp := &tfprotov5.GetMetadataResponse{ServerCapabilities: p.schema.ServerCapabilities}
	for _, n := range sortedKeys(p.resources) {
		resp.Resources = append(resp.Resources, tfprotov5.ResourceMetadata{TypeName: n})
	}
	for _, n := range sortedKeys(p.dataSources) {
		resp.DataSources = append(resp.DataSources, tfprotov5.DataSourceMetadata{TypeName: n})
	}
	return resp, nil
}

func (p *provider) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	return p.schema, nil
}

func (p *provider) GetResourceIdentitySchemas(context.Context, *tfprotov5.GetResourceIdentitySchemasRequest) (*tfprotov5.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov5.GetResourceIdentitySchemasResponse{}, nil
}

func (p *provider) PrepareProviderConfig(_ context.Context, req *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	return &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (p *provider) ConfigureProvider(context.Context, *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	return &tfprotov5.ConfigureProviderResponse{}, nil
}

func (p *provider) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}

// Type and structure checks are OpenTofu's own, against the schema above; the provider-side validators
// (value formats, conflicting arguments) are the real provider's code, which is not available here.
func (p *provider) ValidateResourceTypeConfig(context.Context, *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	return &tfprotov5.ValidateResourceTypeConfigResponse{}, nil
}

func (p *provider) ValidateDataSourceConfig(context.Context, *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

func (p *provider) UpgradeResourceState(_ context.Context, req *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	s, ok := p.resources[req.TypeName]
	if !ok {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errorDiag(fmt.Errorf("unknown resource type %s", req.TypeName))}, nil
	}
	typ := s.ValueType()
	v, err := req.RawState.UnmarshalWithOpts(typ, tfprotov5.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errorDiag(err)}, nil
	}
	dv, diags := dynamic(typ, v)
	return &tfprotov5.UpgradeResourceStateResponse{UpgradedState: dv, Diagnostics: diags}, nil
}

func (p *provider) ReadResource(_ context.Context, req *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (p *provider) PlanResourceChange(_ context.Context, req *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	s, ok := p.resources[req.TypeName]
	if !ok {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: errorDiag(fmt.Errorf("unknown resource type %s", req.TypeName))}, nil
	}
	typ := s.ValueType()
	proposed, err := req.ProposedNewState.Unmarshal(typ)
	if err != nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: errorDiag(err)}, nil
	}
	planned, err := markComputedUnknown(s.Block, proposed)
	if err != nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: errorDiag(err)}, nil
	}
	dv, diags := dynamic(typ, planned)
	return &tfprotov5.PlanResourceChangeResponse{PlannedState: dv, PlannedPrivate: req.PriorPrivate, Diagnostics: diags}, nil
}

func (p *provider) ApplyResourceChange(_ context.Context, req *tfprotov5.ApplyResourceChangeRequest) (*tfprotov5.ApplyResourceChangeResponse, error) {
	s, ok := p.resources[req.TypeName]
	if !ok {
		return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: errorDiag(fmt.Errorf("unknown resource type %s", req.TypeName))}, nil
	}
	typ := s.ValueType()
	planned, err := req.PlannedState.Unmarshal(typ)
	if err != nil {
		return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: errorDiag(err)}, nil
	}
	applied, err := fillUnknown(planned)
	if err != nil {
		return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: errorDiag(err)}, nil
	}
	dv, diags := dynamic(typ, applied)
	return &tfprotov5.ApplyResourceChangeResponse{NewState: dv, Private: req.PlannedPrivate, Diagnostics: diags}, nil
}

func (p *provider) ImportResourceState(context.Context, *tfprotov5.ImportResourceStateRequest) (*tfprotov5.ImportResourceStateResponse, error) {
	return &tfprotov5.ImportResourceStateResponse{Diagnostics: errorDiag(fmt.Errorf("import is not supported by the schema-only provider"))}, nil
}

func (p *provider) MoveResourceState(context.Context, *tfprotov5.MoveResourceStateRequest) (*tfprotov5.MoveResourceStateResponse, error) {
	return &tfprotov5.MoveResourceStateResponse{Diagnostics: errorDiag(fmt.Errorf("moving state is not supported by the schema-only provider"))}, nil
}

func (p *provider) UpgradeResourceIdentity(context.Context, *tfprotov5.UpgradeResourceIdentityRequest) (*tfprotov5.UpgradeResourceIdentityResponse, error) {
	return &tfprotov5.UpgradeResourceIdentityResponse{}, nil
}

func (p *provider) GenerateResourceConfig(context.Context, *tfprotov5.GenerateResourceConfigRequest) (*tfprotov5.GenerateResourceConfigResponse, error) {
	return &tfprotov5.GenerateResourceConfigResponse{Diagnostics: errorDiag(fmt.Errorf("not supported"))}, nil
}

func (p *provider) ReadDataSource(_ context.Context, req *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	s, ok := p.dataSources[req.TypeName]
	if !ok {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: errorDiag(fmt.Errorf("unknown data source %s", req.TypeName))}, nil
	}
	typ := s.ValueType()
	config, err := req.Config.Unmarshal(typ)
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: errorDiag(err)}, nil
	}
	marked, err := markComputedUnknown(s.Block, config)
	if err == nil {
		config, err = fillUnknown(marked)
	}
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: errorDiag(err)}, nil
	}
	dv, diags := dynamic(typ, config)
	return &tfprotov5.ReadDataSourceResponse{State: dv, Diagnostics: diags}, nil
}

func (p *provider) CallFunction(context.Context, *tfprotov5.CallFunctionRequest) (*tfprotov5.CallFunctionResponse, error) {
	return &tfprotov5.CallFunctionResponse{Error: &tfprotov5.FunctionError{Text: "provider functions are not served"}}, nil
}

func (p *provider) GetFunctions(context.Context, *tfprotov5.GetFunctionsRequest) (*tfprotov5.GetFunctionsResponse, error) {
	return &tfprotov5.GetFunctionsResponse{}, nil
}

func (p *provider) ValidateEphemeralResourceConfig(context.Context, *tfprotov5.ValidateEphemeralResourceConfigRequest) (*tfprotov5.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov5.ValidateEphemeralResourceConfigResponse{}, nil
}

func (p *provider) OpenEphemeralResource(context.Context, *tfprotov5.OpenEphemeralResourceRequest) (*tfprotov5.OpenEphemeralResourceResponse, error) {
	return &tfprotov5.OpenEphemeralResourceResponse{Diagnostics: errorDiag(fmt.Errorf("ephemeral resources are not served"))}, nil
}

func (p *provider) RenewEphemeralResource(context.Context, *tfprotov5.RenewEphemeralResourceRequest) (*tfprotov5.RenewEphemeralResourceResponse, error) {
	return &tfprotov5.RenewEphemeralResourceResponse{}, nil
}

func (p *provider) CloseEphemeralResource(context.Context, *tfprotov5.CloseEphemeralResourceRequest) (*tfprotov5.CloseEphemeralResourceResponse, error) {
	return &tfprotov5.CloseEphemeralResourceResponse{}, nil
}

func (p *provider) ValidateListResourceConfig(context.Context, *tfprotov5.ValidateListResourceConfigRequest) (*tfprotov5.ValidateListResourceConfigResponse, error) {
	return &tfprotov5.ValidateListResourceConfigResponse{}, nil
}

func (p *provider) ListResource(context.Context, *tfprotov5.ListResourceRequest) (*tfprotov5.ListResourceServerStream, error) {
	return nil, fmt.Errorf("list resources are not served")
}

func (p *provider) ValidateActionConfig(context.Context, *tfprotov5.ValidateActionConfigRequest) (*tfprotov5.ValidateActionConfigResponse, error) {
	return &tfprotov5.ValidateActionConfigResponse{}, nil
}

func (p *provider) PlanAction(context.Context, *tfprotov5.PlanActionRequest) (*tfprotov5.PlanActionResponse, error) {
	return &tfprotov5.PlanActionResponse{}, nil
}

func (p *provider) InvokeAction(context.Context, *tfprotov5.InvokeActionRequest) (*tfprotov5.InvokeActionServerStream, error) {
	return nil, fmt.Errorf("actions are not served")
}

// providerName reads "google" out of terraform-provider-google_v7.45.0.
func providerName() string {
	if n := os.Getenv("DSC_SCHEMA_PROVIDER"); n != "" {
		return n
	}
	base := strings.TrimPrefix(filepath.Base(os.Args[0]), "terraform-provider-")
	if i := strings.Index(base, "_"); i >= 0 {
		base = base[:i]
	}
	return base
}

func main() {
	name := providerName()
	p, err := loadProvider(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema-provider:", err)
		os.Exit(1)
	}
	if err := tf5server.Serve("registry.opentofu.org/hashicorp/"+name, func() tfprotov5.ProviderServer { return p }); err != nil {
		fmt.Fprintln(os.Stderr, "schema-provider:", err)
		os.Exit(1)
	}
}

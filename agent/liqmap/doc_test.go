package liqmap

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// Every exported field of an exported struct, and every exported constant
// and variable, has its own doc comment (a comment shared by a group of
// fields or a trailing line comment does not count).
func TestExportedFieldsHaveDocs(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range g.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					st, ok := s.Type.(*ast.StructType)
					if !ok || !s.Name.IsExported() {
						continue
					}
					for _, fld := range st.Fields.List {
						for _, n := range fld.Names {
							if n.IsExported() && (fld.Doc == nil || len(fld.Names) > 1) {
								t.Errorf("%s: %s.%s has no doc comment of its own", fset.Position(n.Pos()), s.Name.Name, n.Name)
							}
						}
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && s.Doc == nil && (len(g.Specs) > 1 || g.Doc == nil) {
							t.Errorf("%s: %s has no doc comment of its own", fset.Position(n.Pos()), n.Name)
						}
					}
				}
			}
		}
	}
}

// Package strictjson decodes JSON from outside the appliance strictly:
// unknown fields, duplicate object keys, trailing data and invalid UTF-8
// are errors, because encoding/json alone accepts all four silently and a
// hostile manifest could use any of them to show a person one value while
// the code acts on another.
package strictjson
